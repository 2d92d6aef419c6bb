import { Router } from 'express';

export interface OpsDeps {
  /** Each check resolves to an error message, or null when healthy; it never throws. */
  checks: Record<string, () => Promise<string | null>>;
  metrics(): Promise<{ contentType: string; body: string }>;
  /**
   * Shown by /readyz without deciding readiness: each channel's (instance's) last health report.
   * A mailbox whose server is down must not take the hub out of its load balancer.
   */
  channels?: () => Promise<Array<{ key: string; channel: string; name: string; ok: boolean; reason: string | null; at: string }>>;
}

export function createOpsRouter(deps: OpsDeps): Router {
  const r = Router();
  r.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  r.get('/readyz', async (_req, res) => {
    const entries = await Promise.all(
      Object.entries(deps.checks).map(async ([name, check]) => {
        const problem = await check().catch((err: unknown) => (err instanceof Error ? err.message : String(err)));
        return [name, problem ? { ok: false, error: problem } : { ok: true }] as const;
      }),
    );
    const ready = entries.every(([, v]) => v.ok);
    const channels = deps.channels ? await deps.channels().catch(() => null) : undefined;
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'unavailable',
      checks: Object.fromEntries(entries),
      ...(channels === undefined ? {} : { channels: channels && Object.fromEntries(channels.map(({ key, ...h }) => [key, h])) }),
    });
  });
  r.get('/metrics', async (_req, res) => {
    const { contentType, body } = await deps.metrics();
    res.type(contentType).send(body);
  });
  return r;
}
