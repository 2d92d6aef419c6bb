import path from 'node:path';
import express, { Router } from 'express';
import { getAbsoluteFSPath } from 'swagger-ui-dist';

/**
 * GET /api/docs: the OpenAPI 3 document for `Accept: application/json`, a rendered
 * reference (Swagger UI, served locally — no CDN) for browsers.
 */
export function createDocsRouter(document: () => Record<string, unknown>): Router {
  const r = Router();
  const assets = getAbsoluteFSPath();
  r.get('/api/docs', (req, res) => {
    if (req.accepts(['text/html', 'application/json']) !== 'text/html') {
      res.json(document());
      return;
    }
    res.type('html').send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Omnihub API</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script></body></html>`);
  });
  r.get('/api/docs/openapi.json', (_req, res) => {
    res.json(document());
  });
  r.get('/api/docs/init.js', (_req, res) => {
    res.type('application/javascript').send("window.ui = SwaggerUIBundle({ url: '/api/docs/openapi.json', dom_id: '#swagger-ui' });\n");
  });
  r.use('/api/docs/assets', express.static(path.resolve(assets), { index: false, maxAge: '1d' }));
  return r;
}
