import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { apiEvent, authorizedBy, lambdaContext } from '../../../tests/support/lambda.js';
import { PageTokens, type Page } from '../../shared/pagination.js';
import type { UserSummary } from '../domain/user.js';
import { createHandler } from './list-users.js';

const CALLER = '6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b';
const USERS: UserSummary[] = [
  { userId: CALLER, name: 'Ada' },
  { userId: '0a1b2c3d-0000-4000-8000-000000000002', name: 'Grace' },
  { userId: '0a1b2c3d-0000-4000-8000-000000000003', name: 'Edsger' },
];
const pageTokens = new PageTokens(['pk', 'sk']);
const keyOf = (user: UserSummary) => ({ pk: `USER#${user.userId}`, sk: 'PROFILE' });

function setup() {
  // Pages by `{pk, sk}` tokens, as the DynamoDB adapter does; a token that is not one throws before anything is listed.
  const listUsers = vi.fn();
  const list = async (limit: number, nextToken?: string): Promise<Page<UserSummary>> => {
    const after = pageTokens.decode(nextToken);
    listUsers(limit, after);
    const start = after ? USERS.findIndex((u) => keyOf(u).pk === after.pk) + 1 : 0;
    const items = USERS.slice(start, start + limit);
    return start + limit < USERS.length ? { items, nextToken: pageTokens.after(keyOf(items[limit - 1]!)) } : { items };
  };
  const handler = createHandler(() => ({ listUsers: list }));
  const call = async (query: Record<string, string> | null, extra: Partial<APIGatewayProxyEvent> = authorizedBy(CALLER)) => {
    const response = await handler(apiEvent({ path: '/users', queryStringParameters: query, ...extra }), lambdaContext);
    return { ...response, json: JSON.parse(response.body) as Record<string, unknown> };
  };
  return { listUsers, call };
}

const UNAUTHORIZED = { message: 'Unauthorized', code: 'UNAUTHORIZED' };

describe('GET /users', () => {
  it('answers 200 with {userId,name} items and no nextToken on the last page', async () => {
    const { listUsers, call } = setup();
    const response = await call(null);
    expect(response.statusCode).toBe(200);
    expect(response.json).toEqual({ items: USERS });
    expect(listUsers).toHaveBeenCalledExactlyOnceWith(20, undefined);
  });

  it('pages: nextToken exactly when there is a next page, and it continues from there', async () => {
    const { listUsers, call } = setup();
    const first = await call({ limit: '2' });
    expect(first.statusCode).toBe(200);
    expect(first.json.items).toEqual(USERS.slice(0, 2));
    expect(typeof first.json.nextToken).toBe('string');

    const second = await call({ limit: '2', nextToken: first.json.nextToken as string });
    expect(second.json).toEqual({ items: USERS.slice(2) });
    expect(listUsers).toHaveBeenLastCalledWith(2, keyOf(USERS[1]!));
  });

  it.each(['0', '101', 'ten', '2.5'])('answers 400 naming limit for limit=%s, and lists nothing', async (limit) => {
    const { listUsers, call } = setup();
    const response = await call({ limit });
    expect(response.statusCode).toBe(400);
    expect(response.json).toEqual({
      message: 'Invalid query: limit: must be an integer between 1 and 100',
      code: 'VALIDATION_FAILED',
      details: [{ field: 'limit', message: 'must be an integer between 1 and 100' }],
    });
    expect(listUsers).not.toHaveBeenCalled();
  });

  it('answers 400 naming nextToken for a token that is not ours, and lists nothing', async () => {
    const { listUsers, call } = setup();
    const response = await call({ nextToken: Buffer.from('{"pk":"USER#x"}').toString('base64url') });
    expect(response.statusCode).toBe(400);
    expect(response.json).toEqual({
      message: 'Invalid query: nextToken: not a valid page token',
      code: 'VALIDATION_FAILED',
      details: [{ field: 'nextToken', message: 'not a valid page token' }],
    });
    expect(listUsers).not.toHaveBeenCalled();
  });

  it('answers 400 for an unknown query parameter', async () => {
    const { listUsers, call } = setup();
    const response = await call({ email: 'ada@example.com' });
    expect(response.statusCode).toBe(400);
    expect(response.json).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'email', message: 'unknown field' }] });
    expect(listUsers).not.toHaveBeenCalled();
  });

  describe('without a caller (gateway mode)', () => {
    it.each([
      ['no authorizer context', {}],
      ['only an Authorization header, which gateway mode never reads', { headers: { Authorization: 'Bearer forged.token.here' } }],
      ['an authorizer context without userId', { requestContext: { authorizer: { principalId: CALLER } } as never }],
      ['an empty userId', authorizedBy('')],
      ['an authorizer context without tokenExpiresAt', { requestContext: { authorizer: { userId: CALLER } } as never }],
      ['a malformed tokenExpiresAt', { requestContext: { authorizer: { userId: CALLER, tokenExpiresAt: 'never' } } as never }],
      [
        'an expired token behind a cached Allow',
        { requestContext: { authorizer: { userId: CALLER, tokenExpiresAt: String(Math.floor(Date.now() / 1000) - 1) } } as never },
      ],
    ])('answers 401 for %s, and lists nothing', async (_name, extra) => {
      const { listUsers, call } = setup();
      const response = await call(null, extra);
      expect(response.statusCode).toBe(401);
      expect(response.json).toEqual(UNAUTHORIZED);
      expect(listUsers).not.toHaveBeenCalled();
    });

    it('answers 401 rather than 400 for an invalid query: nothing is validated for a stranger', async () => {
      const { listUsers, call } = setup();
      const response = await call({ limit: '0' }, {});
      expect(response.statusCode).toBe(401);
      expect(listUsers).not.toHaveBeenCalled();
    });
  });
});
