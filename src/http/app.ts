import cookieParser from 'cookie-parser';
import cors from 'cors';
import express, { type Express, type RequestHandler, type Router } from 'express';
import helmet from 'helmet';
import { problemHandler, sendProblem } from './problem';
import type { RawBodyRequest } from '../../channels/contract';

interface Logger {
  error(obj: object, msg?: string): void;
}

export interface HttpAppOptions {
  maxBodyBytes: number;
  logger: Logger;
  /** Browser origins allowed to call the API with credentials. */
  corsOrigins: readonly string[];
  /** Applied to the public endpoints (sign-in, inbound, widget). */
  publicRateLimit?: RequestHandler;
  publicPaths?: string[];
  /** Routers mounted in order (operations, docs, channels, API). */
  routers: Router[];
}

export function createHttpApp(opts: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          connectSrc: ["'self'", 'ws:', 'wss:'],
          imgSrc: ["'self'", 'data:', 'blob:'],
          styleSrc: ["'self'", "'unsafe-inline'"],
          frameAncestors: ["'self'"],
        },
      },
      crossOriginResourcePolicy: { policy: 'cross-origin' },
    }),
  );
  app.use(
    cors({
      origin: (origin, cb) => cb(null, !origin ? false : opts.corsOrigins.includes(origin) ? origin : false),
      credentials: true,
      exposedHeaders: ['Location', 'Retry-After'],
    }),
  );
  if (opts.publicRateLimit) app.use(opts.publicPaths ?? [], opts.publicRateLimit);
  app.use(cookieParser());
  // The exact bytes are kept (`rawBody`) for webhooks whose signature covers them (fax providers).
  app.use(
    express.json({
      limit: opts.maxBodyBytes,
      type: ['application/json', 'application/*+json'],
      verify: (req, _res, buf) => {
        (req as typeof req & RawBodyRequest).rawBody = buf;
      },
    }),
  );
  for (const r of opts.routers) app.use(r);
  app.use((req, res) => sendProblem(res, 404, 'Not found', `No route for ${req.method} ${req.path}.`));
  app.use(problemHandler(opts.logger));
  return app;
}
