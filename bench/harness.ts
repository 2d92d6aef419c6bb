import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ferretdbBinary, startFerretDB, startRedis, type LocalService } from '../src/embedded/services';

export interface BenchRecord {
  bench: string;
  unit: string;
  value: number;
  baseline: number;
  baselineName: string;
  /** value / baseline: how many baselines one unit of the measured thing costs (or yields). */
  ratio: number;
  [extra: string]: unknown;
}

export function record(bench: string, unit: string, value: number, baseline: number, baselineName: string, extra: Record<string, unknown> = {}): BenchRecord {
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return { bench, unit, value: round(value), baseline: round(baseline), baselineName, ratio: round(value / baseline), ...extra };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** MONGODB_URI / REDIS_URL when set, otherwise local FerretDB and redis-server for the run. */
export async function benchServices(): Promise<{ mongo: string; redis: string; stop(): Promise<void> }> {
  const started: LocalService[] = [];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hub-bench-'));
  let mongo = process.env.MONGODB_URI;
  if (!mongo) {
    const f = await startFerretDB({ dir: path.join(dir, 'ferretdb'), binary: ferretdbBinary(path.resolve(__dirname, '..')) });
    started.push(f);
    mongo = f.url;
  }
  let redis = process.env.REDIS_URL;
  if (!redis) {
    const r = await startRedis({ dir: path.join(dir, 'redis') });
    started.push(r);
    redis = r.url;
  }
  return {
    mongo,
    redis,
    async stop() {
      for (const s of started) await s.stop();
    },
  };
}

/** Runs `task` `total` times with at most `concurrency` in flight; returns each duration in ms. */
export async function runConcurrent(total: number, concurrency: number, task: (i: number) => Promise<void>): Promise<number[]> {
  const durations: number[] = [];
  let next = 0;
  async function lane(): Promise<void> {
    while (next < total) {
      const i = next++;
      const t0 = performance.now();
      await task(i);
      durations.push(performance.now() - t0);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane));
  return durations;
}
