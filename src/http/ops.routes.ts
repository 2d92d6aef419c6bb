import { Router } from 'express';

export interface OpsDeps {
  /** Each check resolves to an error message, or null when healthy; it never throws. */
  checks: Record<string, () => Promise<string | null>>;
  metrics(): Promise<{ contentType: string; body: string }>;
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
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', checks: Object.fromEntries(entries) });
  });
  r.get('/metrics', async (_req, res) => {
    const { contentType, body } = await deps.metrics();
    res.type(contentType).send(body);
  });
  return r;
}
