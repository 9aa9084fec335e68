// Who called, as the gateway's authorizer said (gateway authorizer mode): its context, read by httpHandler.
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { decodeRoles, type Role } from '../auth/roles.js';

/**
 * The longest a context may still count: the longest access-token lifetime any verifier accepts
 * (JWT_TTL_SECONDS is at most 86400, functions/shared/auth/access-token-verifier.ts). Our authorizer
 * passes the verified token's `exp`, so an expiry further ahead than this did not come from it.
 */
export const MAX_CONTEXT_LIFETIME_SECONDS = 86_400;

/** Epoch seconds as the authorizer passes them: a number, or its decimal digits (REST APIs pass context values as strings). */
const EPOCH_SECONDS = /^[0-9]{1,12}$/;

/** The context's `tokenExpiresAt` as epoch seconds; undefined when missing or not a whole number of seconds. */
function tokenExpiresAtOf(authorizer: Record<string, unknown> | null | undefined): number | undefined {
  const value = authorizer?.tokenExpiresAt;
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  if (typeof value === 'string' && EPOCH_SECONDS.test(value)) return Number(value);
  return undefined;
}

/**
 * Reads our own authorizer context keys only: serverless-offline adds unverified claims beside them.
 * API Gateway caches an authorizer decision per token (custom.authorizer.resultTtlInSeconds), so a
 * cached Allow could outlive the token; the authorizer passes the token's expiry (`tokenExpiresAt`,
 * epoch seconds) and only a context whose expiry is still ahead names a caller. A context without a
 * valid expiry (missing, malformed, or further ahead than any token lives) names nobody: it did not
 * come from our authorizer, and trusting it would trust it for ever.
 */
export function callerIdOf(event: APIGatewayProxyEvent, nowMs: number = Date.now()): string | undefined {
  const authorizer = event.requestContext?.authorizer;
  const value: unknown = authorizer?.userId;
  if (typeof value !== 'string' || value === '') return undefined;
  const expiresAt = tokenExpiresAtOf(authorizer);
  if (expiresAt === undefined) return undefined;
  const now = nowMs / 1000;
  if (!(expiresAt > now) || expiresAt > now + MAX_CONTEXT_LIFETIME_SECONDS) return undefined;
  return value;
}

/** Who called and with which roles; undefined: nobody (no valid token, or no context of our authorizer). */
export interface Caller {
  id: string;
  roles: readonly Role[];
}

/** The caller and the roles our authorizer passed with it (comma-separated, functions/shared/auth/roles.ts). */
export function callerOf(event: APIGatewayProxyEvent, nowMs: number = Date.now()): Caller | undefined {
  const id = callerIdOf(event, nowMs);
  return id === undefined ? undefined : { id, roles: decodeRoles(event.requestContext?.authorizer?.roles) };
}
