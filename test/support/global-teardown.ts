import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  for (const svc of globalThis.__HUB_TEST_SERVICES__ ?? []) await svc.stop();
  if (process.env.TEST_TMP_DIR) rmSync(process.env.TEST_TMP_DIR, { recursive: true, force: true });
}
