import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A secret that was not configured: generated once and kept in the data directory
 * (mode 600), so restarts keep sessions and keys valid. Production sets them explicitly.
 */
export function persistedSecret(dataDir: string, name: string, bytes = 32): { value: string; generated: boolean } {
  const file = path.join(dataDir, 'secrets', name);
  if (existsSync(file)) return { value: readFileSync(file, 'utf8').trim(), generated: false };
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const value = randomBytes(bytes).toString('base64url');
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  return { value, generated: true };
}
