/**
 * Starts (or reuses) local FerretDB and redis-server processes on loopback.
 * Used by the embedded default of `npm start` and by the test harness; production
 * deployments set MONGODB_URI / REDIS_URL and never reach this code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export interface LocalService {
  url: string;
  port: number;
  /** Stops the process if this call started it; a reused service is left running. */
  stop(): Promise<void>;
}

export function ferretdbBinary(projectRoot: string): string {
  const local = path.join(projectRoot, '.tools', 'bin', 'ferretdb');
  return existsSync(local) ? local : 'ferretdb';
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

async function waitForPort(port: number, child: ChildProcess, name: string, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  let exited: string | null = null;
  child.once('exit', (code, signal) => {
    exited = `exited with ${code ?? signal}`;
  });
  while (Date.now() - started < timeoutMs) {
    if (exited) throw new Error(`${name} ${exited} before listening on ${port}`);
    if (await portOpen(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

interface StartOptions {
  dir: string;
  port?: number;
  /** Reuse a service an earlier run left listening (its port is remembered in `dir`). */
  reuse?: boolean;
  /** Keep running after this Node process exits. */
  detached?: boolean;
  binary?: string;
}

/** A port file in `dir` remembers a detached service so a later start can reuse it. */
async function reuse(dir: string): Promise<number | null> {
  const file = path.join(dir, 'port');
  if (!existsSync(file)) return null;
  const port = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(port) && (await portOpen(port)) ? port : null;
}

async function launch(name: string, bin: string, args: string[], opts: StartOptions, port: number): Promise<LocalService> {
  const child = spawn(bin, args, {
    cwd: opts.dir,
    stdio: opts.detached ? 'ignore' : ['ignore', 'ignore', 'inherit'],
    detached: opts.detached ?? false,
  });
  child.on('error', () => undefined);
  await waitForPort(port, child, name);
  if (opts.detached) child.unref();
  if (opts.reuse) writeFileSync(path.join(opts.dir, 'port'), String(port));
  return {
    url: '',
    port,
    stop: () => (opts.detached ? Promise.resolve() : stopChild(child)),
  };
}

export async function startFerretDB(opts: StartOptions): Promise<LocalService> {
  mkdirSync(opts.dir, { recursive: true });
  const reused = opts.reuse ? await reuse(opts.dir) : null;
  const port = reused ?? opts.port ?? (await freePort());
  const url = `mongodb://127.0.0.1:${port}/`;
  if (reused) return { url, port, stop: async () => undefined };
  const svc = await launch(
    'FerretDB',
    opts.binary ?? 'ferretdb',
    [
      '--handler=sqlite',
      `--sqlite-url=file:${path.join(opts.dir, 'sqlite')}/`,
      `--listen-addr=127.0.0.1:${port}`,
      '--debug-addr=-',
      '--telemetry=disable',
      '--state-dir=-',
      '--log-level=error',
    ],
    { ...opts, dir: prepare(opts.dir, 'sqlite') },
    port,
  );
  return { ...svc, url };
}

export async function startRedis(opts: StartOptions): Promise<LocalService> {
  mkdirSync(opts.dir, { recursive: true });
  const reused = opts.reuse ? await reuse(opts.dir) : null;
  const port = reused ?? opts.port ?? (await freePort());
  const url = `redis://127.0.0.1:${port}`;
  if (reused) return { url, port, stop: async () => undefined };
  const persist = opts.reuse ? ['--appendonly', 'yes', '--dir', opts.dir] : ['--save', '', '--appendonly', 'no', '--dir', opts.dir];
  const svc = await launch(
    'redis-server',
    opts.binary ?? 'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'yes', '--loglevel', 'warning', ...persist],
    opts,
    port,
  );
  return { ...svc, url };
}

function prepare(dir: string, sub: string): string {
  mkdirSync(path.join(dir, sub), { recursive: true });
  return dir;
}
