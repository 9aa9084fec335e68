import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { HttpError } from './errors.js';
import { callerIdOf, callerOf, MAX_CONTEXT_LIFETIME_SECONDS } from './caller.js';
import { requireSelf } from './handler.js';

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

  // A context without a valid expiry did not come from our authorizer (it always passes the token's exp):
  // taken as a caller, it would be trusted for ever.
  it.each([
    ['no tokenExpiresAt', {}],
    ['an empty tokenExpiresAt', { tokenExpiresAt: '' }],
    ['null', { tokenExpiresAt: null }],
    ['a boolean', { tokenExpiresAt: true }],
    ['a fraction', { tokenExpiresAt: `${later}.5` }],
    ['a negative number', { tokenExpiresAt: -later }],
    ['an exponent', { tokenExpiresAt: '1e12' }],
    ['Infinity', { tokenExpiresAt: Infinity }],
    ['"Infinity"', { tokenExpiresAt: 'Infinity' }],
    ['a hexadecimal string', { tokenExpiresAt: `0x${later.toString(16)}` }],
    ['digits with spaces', { tokenExpiresAt: ` ${later} ` }],
    ['an expiry further ahead than any token lives', { tokenExpiresAt: Math.floor(Date.now() / 1000) + MAX_CONTEXT_LIFETIME_SECONDS + 60 }],
  ])('names no caller for a context with %s', (_name, expiry) => {
    expect(callerIdOf(event({ userId: 'u1', ...expiry }))).toBeUndefined();
  });

  it('reads the expiry against the clock it is given', () => {
    const at = 1_900_000_000;
    expect(callerIdOf(event({ userId: 'u1', tokenExpiresAt: at }), at * 1000 - 1)).toBe('u1');
    expect(callerIdOf(event({ userId: 'u1', tokenExpiresAt: at }), at * 1000)).toBeUndefined();
    expect(callerIdOf(event({ userId: 'u1', tokenExpiresAt: String(at) }), (at - MAX_CONTEXT_LIFETIME_SECONDS) * 1000)).toBe('u1');
    expect(callerIdOf(event({ userId: 'u1', tokenExpiresAt: String(at) }), (at - MAX_CONTEXT_LIFETIME_SECONDS - 1) * 1000)).toBeUndefined();
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

describe('callerOf', () => {
  const later = Math.floor(Date.now() / 1000) + 600;
  const event = (authorizer: Record<string, unknown>) => ({ requestContext: { authorizer } }) as unknown as APIGatewayProxyEvent;

  it('reads the roles our authorizer passed, comma-separated, leaving out anything that is not a role', () => {
    expect(callerOf(event({ userId: 'u1', tokenExpiresAt: later, roles: 'admin' }))).toEqual({ id: 'u1', roles: ['admin'] });
    expect(callerOf(event({ userId: 'u1', tokenExpiresAt: later, roles: '' }))).toEqual({ id: 'u1', roles: [] });
    expect(callerOf(event({ userId: 'u1', tokenExpiresAt: later, roles: 'root,admin' }))).toEqual({ id: 'u1', roles: ['admin'] });
    expect(callerOf(event({ userId: 'u1', tokenExpiresAt: later }))).toEqual({ id: 'u1', roles: [] });
  });

  it('gives no roles without a caller (an expired or foreign context)', () => {
    expect(callerOf(event({ userId: 'u1', tokenExpiresAt: later - 1200, roles: 'admin' }))).toBeUndefined();
    expect(callerOf(event({ roles: 'admin' }))).toBeUndefined();
  });
});
