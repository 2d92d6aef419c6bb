import type { ErrorRequestHandler, Response } from 'express';
import { ZodError } from 'zod';
import { ChannelRequestError } from '../../channels/contract';
import { Conflict } from '../auth/user.service';
import { TransitionConflict } from '../tickets/ticket.service';

export interface FieldError {
  field: string;
  message: string;
  /**
   * Stable code of what is wrong, for clients to translate: zod's issue code (`too_small`,
   * `invalid_format`, …), a refinement's own (`params.code`), or the hub's (`already_in_use`,
   * `unknown_reference`, `own_account`, `cannot_send`, `not_failed`, `missing`, `invalid_credentials`,
   * `malformed_json`, `too_big`, …; docs/api-contract.md).
   */
  code?: string;
  /** Values the message names (counts, names), for clients that word it themselves. */
  params?: Record<string, string>;
}

/** A zod issue's stable code: a custom refinement's own `params.code` when it gives one. */
export function issueCode(i: { code: string; params?: Record<string, unknown> }): string {
  const own = i.code === 'custom' ? i.params?.code : undefined;
  return typeof own === 'string' && /^[a-z_]+$/.test(own) ? own : i.code;
}

/** The stable `code` of a problem, by status, unless the problem names its own. */
const STATUS_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'too_large',
  415: 'unsupported_encoding',
  422: 'validation',
  429: 'rate_limited',
  500: 'internal',
  502: 'upstream',
  503: 'unavailable',
};
export const problemCode = (status: number): string => STATUS_CODES[status] ?? (status >= 500 ? 'internal' : 'bad_request');

/** An error that becomes an RFC 9457 application/problem+json answer. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
    readonly errors: readonly FieldError[] = [],
    /** Stable code for clients to translate (default: by status, e.g. `not_found`). */
    readonly code: string = problemCode(status),
  ) {
    super(detail);
    this.name = 'HttpProblem';
  }
}

export function sendProblem(res: Response, status: number, title: string, detail: string, errors: readonly FieldError[] = [], code = problemCode(status)): void {
  res
    .status(status)
    .type('application/problem+json')
    .send(JSON.stringify({ type: 'about:blank', title, status, code, detail, ...(errors.length ? { errors } : {}) }));
}

export function zodFieldErrors(err: ZodError, root = ''): FieldError[] {
  return err.issues.map((i) => ({
    field: [root, ...i.path.map(String)].filter(Boolean).join('.') || '(body)',
    message: i.message,
    code: issueCode(i),
  }));
}

interface Logger {
  error(obj: object, msg?: string): void;
}

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
  message: string;
}

const isBodyParserError = (err: unknown): err is BodyParserError =>
  typeof err === 'object' && err !== null && 'type' in err && typeof (err as { type: unknown }).type === 'string';

/** The last middleware: every error leaves as problem+json, and the process keeps serving. */
export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    void _next;
    if (res.headersSent) return;
    if (err instanceof HttpProblem) return sendProblem(res, err.status, err.title, err.message, err.errors, err.code);
    if (err instanceof ChannelRequestError) return sendProblem(res, err.status, err.title, err.message, err.errors);
    if (err instanceof Conflict) {
      return sendProblem(res, 409, 'Conflict', err.message, err.field ? [err.field] : []);
    }
    if (err instanceof TransitionConflict) {
      return sendProblem(res, 409, 'Conflict', err.message);
    }
    if (err instanceof ZodError) {
      return sendProblem(res, 422, 'Invalid request', 'The request does not match the schema.', zodFieldErrors(err));
    }
    if (isBodyParserError(err)) {
      switch (err.type) {
        case 'entity.parse.failed':
          return sendProblem(res, 400, 'Malformed JSON', `The body is not valid JSON: ${err.message}`, [{ field: '(body)', message: 'malformed JSON', code: 'malformed_json' }]);
        case 'entity.too.large':
          return sendProblem(res, 413, 'Body too large', `The body exceeds the limit of ${err.limit ?? '?'} bytes.`, [{ field: '(body)', message: 'too large', code: 'too_big' }]);
        case 'encoding.unsupported':
        case 'charset.unsupported':
          return sendProblem(res, 415, 'Unsupported encoding', err.message);
        default:
          if (err.status && err.status < 500) return sendProblem(res, err.status, 'Bad request', err.message);
      }
    }
    logger.error({ err, method: req.method, url: req.originalUrl }, 'request failed');
    return sendProblem(res, 500, 'Internal error', 'Something went wrong on our side; it has been logged.');
  };
}
