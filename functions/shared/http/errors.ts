/** Errors that map one-to-one to the HTTP error contract: `{"message","code"}` plus a status. */
import {
  ConflictError,
  DomainError,
  ForbiddenError,
  InvalidCredentialsError,
  InvalidPageTokenError,
  InvalidRefreshTokenError,
  NotFoundError,
  TooManyAttemptsError,
} from '../domain-errors.js';

export interface FieldError {
  field: string;
  message: string;
}

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: FieldError[],
    /** Extra response headers (Retry-After on a 429). */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (message: string, details?: FieldError[]) => new HttpError(400, 'VALIDATION_FAILED', message, details);
export const unauthorized = (message = 'Unauthorized') => new HttpError(401, 'UNAUTHORIZED', message);
export const forbidden = (message = 'Forbidden') => new HttpError(403, 'FORBIDDEN', message);
export const notFound = (message: string) => new HttpError(404, 'NOT_FOUND', message);

/** The edge's reading of an error: its own HttpErrors as they are, the domain's by kind; anything else is not a client error. */
export function httpErrorOf(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error;
  if (!(error instanceof DomainError)) return undefined;
  if (error instanceof InvalidPageTokenError) {
    return badRequest(`Invalid query: nextToken: ${error.message}`, [{ field: 'nextToken', message: error.message }]);
  }
  if (error instanceof NotFoundError) return new HttpError(404, error.code, error.message);
  if (error instanceof ConflictError) return new HttpError(409, error.code, error.message);
  if (error instanceof InvalidCredentialsError || error instanceof InvalidRefreshTokenError)
    return new HttpError(401, error.code, error.message);
  if (error instanceof ForbiddenError) return new HttpError(403, error.code, error.message);
  if (error instanceof TooManyAttemptsError) {
    return new HttpError(429, error.code, error.message, undefined, { 'retry-after': String(error.retryAfterSeconds) });
  }
  return undefined;
}
