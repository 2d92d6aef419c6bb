// Bundles the chat widget: web/widget/src/widget.main.ts → web/widget/dist/widget.js (one IIFE,
// socket.io-client included, minified). `--if-stale` builds only when a source is newer than
// the bundle (the test helpers call it that way, so `npm test` works from a clean clone).
import { build } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const out = path.join(here, 'dist', 'widget.js');
const sources = [
  ...readdirSync(path.join(here, 'src')).map((f) => path.join(here, 'src', f)),
  path.join(root, 'channels/webchat/webchat.protocol.ts'),
  ...readdirSync(path.join(root, 'web/common')).map((f) => path.join(root, 'web/common', f)),
  path.join(here, 'build.mjs'),
  path.join(root, 'package-lock.json'),
];

const stale = () => {
  if (!existsSync(out)) return true;
  const built = statSync(out).mtimeMs;
  return sources.some((f) => existsSync(f) && statSync(f).mtimeMs > built);
};

if (process.argv.includes('--if-stale') && !stale()) process.exit(0);

mkdirSync(path.dirname(out), { recursive: true });
// Write beside and rename: a test worker reading the bundle never sees half a file.
const tmp = `${out}.${process.pid}.tmp`;
const result = await build({
  entryPoints: [path.join(here, 'src/widget.main.ts')],
  outfile: tmp,
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020'],
  platform: 'browser',
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});
renameSync(tmp, out);
if (!process.argv.includes('--quiet')) {
  const bytes = result.metafile.outputs[path.relative(process.cwd(), tmp)]?.bytes ?? statSync(out).size;
  console.log(`widget: ${path.relative(root, out)} ${(bytes / 1024).toFixed(1)} KB`);
}
