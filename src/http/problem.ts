import type { ErrorRequestHandler, Response } from 'express';
import { ZodError } from 'zod';
import { ChannelRequestError } from '../../channels/contract';
import { Conflict } from '../auth/user.service';
import { TransitionConflict } from '../tickets/ticket.service';

export interface FieldError {
  field: string;
  message: string;
}

/** An error that becomes an RFC 9457 application/problem+json answer. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
    readonly errors: readonly FieldError[] = [],
  ) {
    super(detail);
    this.name = 'HttpProblem';
  }
}

export function sendProblem(res: Response, status: number, title: string, detail: string, errors: readonly FieldError[] = []): void {
  res
    .status(status)
    .type('application/problem+json')
    .send(JSON.stringify({ type: 'about:blank', title, status, detail, ...(errors.length ? { errors } : {}) }));
}

export function zodFieldErrors(err: ZodError, root = ''): FieldError[] {
  return err.issues.map((i) => ({
    field: [root, ...i.path.map(String)].filter(Boolean).join('.') || '(body)',
    message: i.message,
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
    if (err instanceof HttpProblem || err instanceof ChannelRequestError) {
      return sendProblem(res, err.status, err.title, err.message, err.errors);
    }
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
          return sendProblem(res, 400, 'Malformed JSON', `The body is not valid JSON: ${err.message}`, [{ field: '(body)', message: 'malformed JSON' }]);
        case 'entity.too.large':
          return sendProblem(res, 413, 'Body too large', `The body exceeds the limit of ${err.limit ?? '?'} bytes.`, [{ field: '(body)', message: 'too large' }]);
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
