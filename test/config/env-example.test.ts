/**
 * README's configuration table, .env.example and the config schema name the same variables.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigSchema } from '../../config/index';

const root = path.resolve(__dirname, '../..');

/** The first column of the table under "## Configuration": `| \`NAME\` | default | meaning |`. */
function readmeVariables(): string[] {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = readme.split(/^## Configuration$/m)[1]?.split(/^## /m)[0] ?? '';
  return [...section.matchAll(/^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|/gm)].map((m) => m[1]!);
}

/** Every `NAME=` line, commented out or not. */
function envExampleVariables(): string[] {
  const text = readFileSync(path.join(root, '.env.example'), 'utf8');
  return [...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!);
}

test('README lists the variables in a table the test can read', () => {
  expect(readmeVariables().length).toBeGreaterThan(40);
});

test('.env.example lists every variable of the README table, and nothing else', () => {
  const readme = new Set(readmeVariables());
  const example = new Set(envExampleVariables());
  expect([...readme].filter((v) => !example.has(v))).toEqual([]);
  expect([...example].filter((v) => !readme.has(v))).toEqual([]);
});

test('the README table documents exactly the variables the configuration schema reads', () => {
  const schema = Object.keys(ConfigSchema.shape).sort();
  expect([...new Set(readmeVariables())].sort()).toEqual(schema);
});
