import { createHash, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import type { Server } from 'node:http';
import express, { Router, type Express, type Request, type RequestHandler } from 'express';
import { sendProblem } from './problem';

export interface OpsDeps {
  /** Each check resolves to an error message, or null when healthy; it never throws. */
  checks: Record<string, () => Promise<string | null>>;
  metrics(): Promise<{ contentType: string; body: string }>;
  /**
   * Shown by /readyz without deciding readiness: each channel's (instance's) last health report.
   * A mailbox whose server is down must not take the hub out of its load balancer.
   */
  channels?: () => Promise<Array<{ key: string; channel: string; name: string; ok: boolean; reason: string | null; at: string }>>;
  /** `METRICS_TOKEN`: when set, /metrics requires it as a bearer token; unset, it answers loopback clients only. */
  metricsToken?: string;
  /** False when a separate listener (`METRICS_LISTEN`) serves /metrics: the main port then answers 404. */
  metricsOnMainPort?: boolean;
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 addresses. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

/**
 * Who may read /metrics: with a token, whoever sends `Authorization: Bearer <token>` (401
 * otherwise); without one, only loopback clients (`req.ip`: behind a reverse proxy on the same
 * host, the address it forwards in X-Forwarded-For), unless `anyClient` (a listener whose bind
 * address already decides who can reach it).
 */
function metricsGuard(token: string | undefined, anyClient: boolean): RequestHandler {
  return (req: Request, res, next) => {
    if (token) {
      const m = /^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '');
      // Digests compare in the same time whatever the length sent.
      if (m && timingSafeEqual(digest(m[1]!.trim()), digest(token))) return next();
      res.set('WWW-Authenticate', 'Bearer realm="metrics"');
      return sendProblem(res, 401, 'Unauthorized', 'Send the METRICS_TOKEN as "Authorization: Bearer <token>".', [
        m ? { field: 'Authorization', message: 'invalid token', code: 'invalid_credentials' } : { field: 'Authorization', message: 'missing bearer token', code: 'missing' },
      ]);
    }
    if (anyClient || isLoopback(req.ip)) return next();
    return sendProblem(res, 403, 'Forbidden', 'Without METRICS_TOKEN, /metrics answers loopback clients only (or use METRICS_LISTEN).');
  };
}

function metricsRoute(deps: Pick<OpsDeps, 'metrics'>): RequestHandler {
  return async (_req, res) => {
    const { contentType, body } = await deps.metrics();
    res.type(contentType).send(body);
  };
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
  if (deps.metricsOnMainPort !== false) r.get('/metrics', metricsGuard(deps.metricsToken, false), metricsRoute(deps));
  return r;
}

/**
 * The separate metrics listener (`METRICS_LISTEN`): GET /metrics only (with the token when one
 * is set), 404 problem+json for anything else.
 */
export function createMetricsApp(deps: Pick<OpsDeps, 'metrics' | 'metricsToken'>): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', metricsGuard(deps.metricsToken, true), metricsRoute(deps));
  app.use((req, res) => sendProblem(res, 404, 'Not found', `No route for ${req.method} ${req.path}.`));
  return app;
}

/** Starts the METRICS_LISTEN listener (`host:port`, `[v6]:port`; port 0 picks a free one). */
export async function listenMetrics(listen: string, app: Express): Promise<{ url: string; close(): Promise<void> }> {
  const at = listen.lastIndexOf(':');
  const host = listen.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  const server: Server = app.listen(Number(listen.slice(at + 1)), host);
  await once(server, 'listening');
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : Number(listen.slice(at + 1));
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
