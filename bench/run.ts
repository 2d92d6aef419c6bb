/**
 * `npm run bench`: every scenario prints JSON lines, each with the baseline measured in
 * the same run and the ratio. Speed goals live here, never in timed tests.
 */
import { benchServices, type BenchRecord } from './harness';
import { runIngestBench } from './ingest.bench';
import { runRoutingBench } from './routing.bench';
import { runStatsBench } from './stats.bench';

type Scenario = (mongo: string, redis: string) => Promise<object[]>;

async function main(): Promise<void> {
  const services = await benchServices();
  const scenarios: Array<[string, Scenario]> = [
    ['ingest', (m, r) => runIngestBench(m, r, Number(process.env.BENCH_MESSAGES ?? 1500))],
    ['routing', (_m, r) => runRoutingBench(r)],
    ['stats', (m, r) => runStatsBench(m, r)],
  ];
  const only = process.argv[2];
  try {
    for (const [name, run] of scenarios) {
      if (only && only !== name) continue;
      for (const rec of (await run(services.mongo, services.redis)) as BenchRecord[]) process.stdout.write(`${JSON.stringify(rec)}\n`);
    }
  } finally {
    await services.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
