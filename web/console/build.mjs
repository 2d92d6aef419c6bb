#!/usr/bin/env node
/**
 * Builds the agent console: web/console/src → web/console/dist (index.html + hashed
 * app-XXXXXXXX.js / .css). Everything is bundled (preact, i18next, socket.io-client):
 * the hub's CSP allows only its own origin and no inline scripts.
 *
 *   node web/console/build.mjs              build
 *   node web/console/build.mjs --if-stale   build only when the sources changed since the last build
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const src = path.join(here, 'src');
const dist = path.join(here, 'dist');
const stamp = path.join(dist, 'build.json');

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : [p];
  });
}

/** A hash of everything the bundle is made of (sources, this script, dependency versions). */
function sourceHash() {
  const h = createHash('sha256');
  const root = path.resolve(here, '../..');
  for (const f of [...files(src), ...files(path.join(here, '../common')), fileURLToPath(import.meta.url), path.join(root, 'package-lock.json')].sort()) {
    if (!existsSync(f) || !statSync(f).isFile()) continue;
    h.update(path.relative(here, f)).update('\0').update(readFileSync(f)).update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

const hash = sourceHash();
if (process.argv.includes('--if-stale') && existsSync(stamp) && existsSync(path.join(dist, 'index.html'))) {
  try {
    if (JSON.parse(readFileSync(stamp, 'utf8')).sources === hash) process.exit(0);
  } catch {
    /* rebuild */
  }
}

mkdirSync(dist, { recursive: true });
const started = Date.now();
const result = await esbuild.build({
  entryPoints: { app: path.join(src, 'main.tsx') },
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: true,
  sourcemap: 'linked',
  outdir: dist,
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  metafile: true,
  legalComments: 'none',
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
});

// A warning is a broken stylesheet or script (an unclosed rule swallows the ones after it): fail the build.
if (result.warnings.length > 0) {
  process.stderr.write(`console build: ${result.warnings.length} warning(s), see above; nothing was published\n`);
  process.exit(1);
}

const outputs = Object.keys(result.metafile.outputs).map((p) => path.resolve(p));
const asset = (ext) => {
  const f = outputs.find((p) => p.endsWith(ext) && !p.endsWith('.map'));
  if (!f) throw new Error(`esbuild produced no ${ext} file`);
  return `/console/${path.basename(f)}`;
};

const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, interactive-widget=resizes-content">
<title>Omnihub Console</title>
<link rel="icon" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Cpath d='M8 1l7 7-7 7-7-7z' fill='%234f46e5'/%3E%3C/svg%3E">
<link rel="stylesheet" href="${asset('.css')}">
</head>
<body>
<div id="app"></div>
<noscript>The Omnihub console needs JavaScript. / Omnihub 客服工作台需要启用 JavaScript。</noscript>
<script type="module" src="${asset('.js')}"></script>
</body>
</html>
`;
// index.html is swapped in whole, so a page load never sees half a file.
const tmp = path.join(dist, `.index.${process.pid}.html`);
writeFileSync(tmp, html);
renameSync(tmp, path.join(dist, 'index.html'));
writeFileSync(stamp, `${JSON.stringify({ sources: hash, builtAt: new Date().toISOString() })}\n`);

// Drop the bundles of earlier builds.
const keep = new Set([...outputs.map((p) => path.basename(p)), 'index.html', 'build.json']);
for (const f of readdirSync(dist)) if (!keep.has(f) && !f.startsWith('.index.')) rmSync(path.join(dist, f), { force: true });

const size = (ext) => outputs.filter((p) => p.endsWith(ext)).reduce((n, p) => n + statSync(p).size, 0);
process.stdout.write(`console built in ${Date.now() - started} ms: ${(size('.js') / 1024).toFixed(0)} KB js, ${(size('.css') / 1024).toFixed(0)} KB css → ${path.relative(process.cwd(), dist) || '.'}\n`);
