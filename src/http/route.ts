import type { NextFunction, Request, Response, Router } from 'express';
import { z, type ZodType } from 'zod';
import { atLeast, type Principal } from '../auth/principal';
import type { Role } from '../auth/roles';
import { HttpProblem, zodFieldErrors } from './problem';

export type Access = 'public' | 'signed-in' | Role;

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** Null only on public routes. */
  principal: Principal | null;
  req: Request;
  res: Response;
}

/** What a handler returns: a JSON body (status from the spec) or an explicit reply. */
export class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

export interface RouteSpec<P, Q, B> {
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  path: string;
  summary: string;
  tags: string[];
  /** Who may call it: anyone, any signed-in principal, or at least this role. */
  access: Access;
  params?: ZodType<P>;
  query?: ZodType<Q>;
  body?: ZodType<B>;
  /** Success status (default 200) and its response schema, for the OpenAPI document. */
  status?: number;
  response?: ZodType;
  /** Extra documented error statuses besides 400/401/403/404/422. */
  errors?: number[];
  headers?: Record<string, string>;
  handler(ctx: RouteContext<P, Q, B>): Promise<unknown>;
}

export interface Authenticator {
  /** Finds the principal from the Authorization header or the session cookie. */
  principal(req: Request): Promise<Principal | null>;
}

interface Registered {
  method: string;
  path: string;
  summary: string;
  tags: string[];
  access: Access;
  params?: ZodType;
  query?: ZodType;
  body?: ZodType;
  status: number;
  response?: ZodType;
  errors: number[];
  headers: Record<string, string>;
  /** Documented security requirement, when not the signed-in session / bearer of the access level. */
  security?: Array<Record<string, string[]>>;
  /** Further success responses (e.g. 202) and their schemas. */
  moreResponses?: Record<number, { description: string; schema?: ZodType; headers?: Record<string, string> }>;
  description?: string;
}

/**
 * A route another router serves (a channel adapter's endpoint), documented in the OpenAPI
 * document like the table's own; errors are listed exactly as given.
 */
export interface DocumentedRoute {
  method: RouteSpec<unknown, unknown, unknown>['method'];
  path: string;
  summary: string;
  description?: string;
  tags: string[];
  security: Array<Record<string, string[]>>;
  params?: ZodType;
  body?: ZodType;
  status: number;
  response?: ZodType;
  moreResponses?: Registered['moreResponses'];
  errors: number[];
}

function validate<T>(schema: ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return value as T;
  const r = schema.safeParse(value);
  if (!r.success) {
    throw new HttpProblem(where === 'body' ? 422 : 400, 'Invalid request', `The ${where} is not valid.`, zodFieldErrors(r.error, where === 'body' ? '' : where), 'validation');
  }
  return r.data;
}

/**
 * Declares routes once: validation (problem+json naming the field), access control and
 * the OpenAPI document all come from the same zod schemas.
 */
export function createRouteTable(router: Router, auth: Authenticator) {
  const registered: Registered[] = [];

  function route<P = unknown, Q = unknown, B = unknown>(spec: RouteSpec<P, Q, B>): void {
    registered.push({
      method: spec.method,
      path: spec.path,
      summary: spec.summary,
      tags: spec.tags,
      access: spec.access,
      params: spec.params,
      query: spec.query,
      body: spec.body,
      status: spec.status ?? 200,
      response: spec.response,
      errors: spec.errors ?? [],
      headers: spec.headers ?? {},
    });
    router[spec.method](spec.path, async (req: Request, res: Response, next: NextFunction) => {
      try {
        const principal = spec.access === 'public' ? await auth.principal(req).catch(() => null) : await auth.principal(req);
        if (spec.access !== 'public') {
          if (!principal) throw new HttpProblem(401, 'Unauthorized', 'Sign in, or send a bearer token.');
          if (spec.access !== 'signed-in' && !atLeast(principal, spec.access)) {
            throw new HttpProblem(403, 'Forbidden', `This needs the ${spec.access} role or higher.`);
          }
        }
        const params = validate(spec.params, req.params, 'params');
        const query = validate(spec.query, req.query, 'query');
        const body = validate(spec.body, spec.body ? (req.body ?? {}) : undefined, 'body');
        const result = await spec.handler({ params, query, body, principal, req, res });
        if (res.headersSent) return;
        if (result instanceof Reply) {
          res.set(result.headers);
          if (result.body === undefined) res.status(result.status).end();
          else res.status(result.status).json(result.body);
        } else if (result === undefined) {
          res.status(spec.status === 200 ? 204 : (spec.status ?? 204)).end();
        } else {
          res.status(spec.status ?? 200).json(result);
        }
      } catch (err) {
        next(err);
      }
    });
  }

  /** Documents a route served elsewhere (not mounted here). */
  function describe(d: DocumentedRoute): void {
    registered.push({ ...d, access: 'public', headers: {} });
  }

  function openapi(info: { title: string; version: string; serverUrl: string }): Record<string, unknown> {
    const schema = (s: ZodType, io: 'input' | 'output') => z.toJSONSchema(s, { io, unrepresentable: 'any' });
    const problem = { description: 'Problem', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
    const paths: Record<string, Record<string, unknown>> = {};
    for (const r of registered) {
      const path = r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      const parameters: unknown[] = [];
      for (const [where, s] of [['path', r.params], ['query', r.query]] as const) {
        if (!s) continue;
        const js = schema(s, 'input') as { properties?: Record<string, unknown>; required?: string[] };
        for (const [name, prop] of Object.entries(js.properties ?? {})) {
          parameters.push({ name, in: where, required: where === 'path' || (js.required ?? []).includes(name), schema: prop });
        }
      }
      for (const [name, description] of Object.entries(r.headers)) parameters.push({ name, in: 'header', required: false, description, schema: { type: 'string' } });
      const responses: Record<string, unknown> = {
        [r.status]: r.response
          ? { description: 'Success', content: { 'application/json': { schema: schema(r.response, 'output') } } }
          : { description: 'Success' },
      };
      for (const [status, more] of Object.entries(r.moreResponses ?? {})) {
        responses[status] = {
          description: more.description,
          ...(more.headers ? { headers: Object.fromEntries(Object.entries(more.headers).map(([h, description]) => [h, { description, schema: { type: 'string' } }])) } : {}),
          ...(more.schema ? { content: { 'application/json': { schema: schema(more.schema, 'output') } } } : {}),
        };
      }
      const errs = r.security
        ? new Set(r.errors)
        : new Set([...(r.body || r.query || r.params ? [400, 422] : []), ...(r.access === 'public' ? [] : [401, 403]), ...r.errors]);
      for (const e of errs) responses[e] = problem;
      paths[path] ??= {};
      paths[path][r.method] = {
        summary: r.summary,
        ...(r.description ? { description: r.description } : {}),
        tags: r.tags,
        security: r.security ?? (r.access === 'public' ? [] : [{ bearer: [] }, { session: [] }]),
        'x-access': r.security ? 'inbound-key' : r.access,
        parameters,
        ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: schema(r.body, 'input') } } } } : {}),
        responses,
      };
    }
    return {
      openapi: '3.1.0',
      info: { title: info.title, version: info.version },
      servers: [{ url: info.serverUrl }],
      paths,
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'A session token from POST /api/v1/auth/login, or an integrator API token (oh_…).' },
          session: { type: 'apiKey', in: 'cookie', name: 'hub_session' },
          inboundKey: { type: 'http', scheme: 'bearer', description: 'The inbound API key (INBOUND_API_KEY) of POST /api/v1/inbound.' },
        },
        schemas: {
          Problem: {
            type: 'object',
            required: ['title', 'status'],
            properties: {
              type: { type: 'string' },
              title: { type: 'string' },
              status: { type: 'integer' },
              detail: { type: 'string' },
              errors: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } },
            },
          },
        },
      },
    };
  }

  return { route, describe, openapi, routes: registered as readonly Registered[] };
}
export type RouteTable = ReturnType<typeof createRouteTable>;
