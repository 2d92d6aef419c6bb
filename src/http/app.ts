import express, { type Express, type Router } from 'express';
import { problemHandler, sendProblem } from './problem';

interface Logger {
  error(obj: object, msg?: string): void;
}

export interface HttpAppOptions {
  maxBodyBytes: number;
  logger: Logger;
  /** Routers mounted in order (operations, channels, API). */
  routers: Router[];
}

export function createHttpApp(opts: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(express.json({ limit: opts.maxBodyBytes, type: ['application/json', 'application/*+json'] }));
  for (const r of opts.routers) app.use(r);
  app.use((req, res) => sendProblem(res, 404, 'Not found', `No route for ${req.method} ${req.path}.`));
  app.use(problemHandler(opts.logger));
  return app;
}
