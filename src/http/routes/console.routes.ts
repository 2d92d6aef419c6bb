import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { Router, type Request, type Response } from 'express';

export interface ConsoleRouterOptions {
  /** The console's build output (web/console/dist): index.html and its assets. */
  distDir: string;
}

/**
 * The agent console at /console: its built assets, and index.html for every other
 * /console path a browser asks for (client-side routes such as /console/tickets/:id).
 * `/` leads to the console when nothing else claims it.
 */
export function createConsoleRouter(opts: ConsoleRouterOptions): Router {
  const r = Router();
  const dist = path.resolve(opts.distDir);
  const index = path.join(dist, 'index.html');

  const sendIndex = (_req: Request, res: Response): void => {
    if (!existsSync(index)) {
      res
        .status(503)
        .type('text/plain')
        .send('The console is not built yet: run `npm run build:console` (or `npm run build:web`) and reload.\n');
      return;
    }
    // The page is tiny and names its assets by content hash: never cache it, cache those.
    res.set('Cache-Control', 'no-cache');
    res.sendFile(index);
  };

  r.get('/', (_req, res) => res.redirect(302, '/console/'));
  // Routing is not strict: this also matches `/console/`, which must not redirect to itself.
  r.get('/console', (req, res, next) => {
    if (req.path !== '/console') return next();
    const q = req.originalUrl.indexOf('?');
    res.redirect(301, `/console/${q >= 0 ? req.originalUrl.slice(q) : ''}`);
  });
  r.use(
    '/console',
    express.static(dist, {
      index: false,
      fallthrough: true,
      setHeaders: (res, file) => {
        res.set('Cache-Control', /-[A-Z0-9]{8}\.(js|css)$/.test(file) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
  );
  r.use('/console', (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    // A missing asset is a 404, not the page.
    if (/\.(js|css|map|png|svg|ico|json|txt|woff2?)$/i.test(req.path)) return next();
    sendIndex(req, res);
  });
  return r;
}
