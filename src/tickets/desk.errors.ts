/**
 * Errors of the agent-facing ticket and contact services. The HTTP layer turns them into
 * problem+json with the same status; other callers can read `status` too.
 */
export interface DeskFieldError {
  field: string;
  message: string;
  code?: string;
}

export class DeskError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409 | 422,
    message: string,
    /** Fields at fault, for problem+json's `errors[]` (`{field, message, code}`, code stable for clients to translate). */
    readonly errors: ReadonlyArray<DeskFieldError> = [],
  ) {
    super(message);
    this.name = 'DeskError';
  }
}

export const notFound = (what: string, id: string): DeskError => new DeskError(404, `No ${what} ${id}.`);
export const forbidden = (why: string): DeskError => new DeskError(403, why);
export const conflict = (why: string, errors: ReadonlyArray<DeskFieldError> = []): DeskError => new DeskError(409, why, errors);
export const invalid = (why: string): DeskError => new DeskError(422, why);
