import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { HttpError } from './errors.js';
import { callerIdOf, requireSelf } from './handler.js';

const event = (authorizer: Record<string, unknown> | undefined) => ({ requestContext: { authorizer } }) as unknown as APIGatewayProxyEvent;
const later = Math.floor(Date.now() / 1000) + 600;

describe('callerIdOf', () => {
  it('reads our authorizer context key userId only (never claims)', () => {
    expect(callerIdOf(event({ userId: 'u1', tokenExpiresAt: later }))).toBe('u1');
    expect(callerIdOf(event({ claims: { sub: 'u1' } }))).toBeUndefined();
    expect(callerIdOf(event({ userId: '' }))).toBeUndefined();
    expect(callerIdOf(event(undefined))).toBeUndefined();
  });

  it('treats a token that expired while its Allow sat in the gateway cache as no caller', () => {
    const past = Math.floor(Date.now() / 1000) - 1;
    expect(callerIdOf(event({ userId: 'u1', tokenExpiresAt: past }))).toBeUndefined();
    expect(callerIdOf(event({ userId: 'u1', tokenExpiresAt: String(past) }))).toBeUndefined(); // REST APIs pass strings
    expect(callerIdOf(event({ userId: 'u1', tokenExpiresAt: String(later) }))).toBe('u1');
    expect(callerIdOf(event({ userId: 'u1', tokenExpiresAt: 'soon' }))).toBeUndefined();
  });
});

describe('requireSelf', () => {
  it('is the caller when the route is theirs, 403 when not, 401 without a caller', () => {
    expect(requireSelf({ callerId: 'u1' }, 'u1')).toBe('u1');
    expect(() => requireSelf({ callerId: 'u1' }, 'u2')).toThrow(
      expect.objectContaining({
        statusCode: 403,
        code: 'FORBIDDEN',
      }) as HttpError,
    );
    expect(() => requireSelf({ callerId: undefined }, 'u1')).toThrow(expect.objectContaining({ statusCode: 401 }) as HttpError);
  });
});
