/** The hub's REST API, same origin; the httpOnly session cookie authenticates every call. */

export interface FieldProblem {
  field: string;
  message: string;
  /** The check that failed (zod's issue code, e.g. `too_small`), when the hub names one. */
  code?: string;
  /** Values the message names (counts, names), for the console to word it in its language. */
  params?: Record<string, string>;
}

/** A problem+json answer (or a network failure, status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors: readonly FieldProblem[] = [],
    /** The problem's stable code (`validation`, `not_found`, `sign_in_failed`…), '' when the answer had none. */
    readonly code: string = '',
  ) {
    super(detail ? `${title}: ${detail}` : title);
    this.name = 'ApiError';
  }
}

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();
/** Called when a signed-in call answers 401 (the session ended elsewhere). */
export function onUnauthorized(l: Listener): () => void {
  unauthorizedListeners.add(l);
  return () => unauthorizedListeners.delete(l);
}

interface ProblemBody {
  title?: unknown;
  detail?: unknown;
  errors?: unknown;
  code?: unknown;
}

function problemOf(status: number, body: unknown, fallback: string): ApiError {
  const p = (typeof body === 'object' && body !== null ? body : {}) as ProblemBody;
  const errors = Array.isArray(p.errors)
    ? p.errors.filter((e): e is FieldProblem => typeof e === 'object' && e !== null && typeof (e as FieldProblem).field === 'string')
    : [];
  return new ApiError(status, typeof p.title === 'string' ? p.title : fallback, typeof p.detail === 'string' ? p.detail : '', errors, typeof p.code === 'string' ? p.code : '');
}

export async function api<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  } catch (err) {
    throw new ApiError(0, 'Network error', err instanceof Error ? err.message : String(err));
  }
  const text = await res.text();
  let parsed: unknown = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  if (!res.ok) {
    if (res.status === 401 && path !== '/api/v1/auth/login') for (const l of unauthorizedListeners) l();
    throw problemOf(res.status, parsed, res.statusText || `HTTP ${res.status}`);
  }
  return parsed as T;
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body?: unknown, headers?: Record<string, string>) => api<T>('POST', path, body ?? {}, headers);
export const patch = <T>(path: string, body: unknown) => api<T>('PATCH', path, body);
export const put = <T>(path: string, body: unknown) => api<T>('PUT', path, body);
export const del = (path: string) => api<void>('DELETE', path);

export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** A random id for Idempotency-Key headers. */
export function randomId(): string {
  if (typeof crypto !== 'undefined' && 'randomUUID' in crypto) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}
