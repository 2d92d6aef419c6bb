import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The checkout is self-contained: no test, script, bench, build or CI file reads from beside the
 * repository (a `shared/` folder next to it, another checkout), so a fresh clone passes alone.
 */
const ROOT = path.resolve(__dirname, '../..');
const SELF = path.relative(ROOT, __filename);

/** Spelled in pieces so that this file does not flag itself. */
const SHARED_SIBLING = ['..', 'shared'].join('/');
const STATIC_PATH = /path\.(?:resolve|join)\(\s*__dirname\s*,\s*((?:'[^'\n]*'\s*,?\s*)+)\)/g;

/** What in one file's text points outside the repository (`file` is its path in the repository). */
export function outsideReferences(file: string, text: string, root = ROOT): string[] {
  const found: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.includes(SHARED_SIBLING)) found.push(`${file}:${i + 1}: ${line.trim()}`);
  });
  // path.resolve(__dirname, '…') / path.join(__dirname, '…', …) with literal parts: where it lands.
  for (const m of text.matchAll(STATIC_PATH)) {
    const parts = [...m[1]!.matchAll(/'([^'\n]*)'/g)].map((p) => p[1]!);
    const target = path.resolve(root, path.dirname(file), ...parts);
    if (path.relative(root, target).startsWith('..')) found.push(`${file}: ${m[0]} → ${target}`);
  }
  return found;
}

function trackedFiles(): string[] {
  return execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    .split('\0')
    .filter((f) => f && f !== SELF && f !== 'package-lock.json');
}

test('the detector flags a read beside the checkout, and not a read inside it', () => {
  const bad = `const DEV_SET = path.resolve(__dirname, '../../../${'shared'}/data/set.jsonl');`;
  expect(outsideReferences('test/classify/x.test.ts', bad)).toHaveLength(2);
  expect(outsideReferences('bench/x.ts', `ferretdbBinary(path.resolve(__dirname, '..', '..', 'elsewhere'))`)).toHaveLength(1);
  expect(outsideReferences('test/classify/x.test.ts', `path.resolve(__dirname, '../fixtures/set.jsonl')`)).toEqual([]);
  expect(outsideReferences('bench/harness.ts', `ferretdbBinary(path.resolve(__dirname, '..'))`)).toEqual([]);
});

test('no tracked file (tests, scripts, bench, build files, CI, Dockerfile) reads from outside the repository', () => {
  const files = trackedFiles();
  expect(files).toEqual(expect.arrayContaining(['.ci/run', 'Dockerfile', 'package.json', 'test/classify/classifier.test.ts', 'test/fixtures/classification-dev.jsonl']));
  const found = files.flatMap((f) => {
    const bytes = readFileSync(path.join(ROOT, f));
    return bytes.includes(0) ? [] : outsideReferences(f, bytes.toString('utf8'));
  });
  expect(found).toEqual([]);
});
