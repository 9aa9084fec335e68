import { describe, expect, it } from 'vitest';
import type { CfnTemplate } from './cloudformation.js';
import type { InvokeResult } from './sqs-poller.js';
import { policyAllows, TokenAuthorizers, tokenAuthorizerOf, type TokenAuthorizer } from './token-authorizer.js';

const API = 'arn:aws:execute-api:us-east-1:000000000000:local/test';
const arn = (method: string, path: string) => `${API}/${method}${path}`;

const template = (authorizer: Record<string, unknown>): CfnTemplate => ({
  Resources: {
    AuthFn: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'shop-test-authorizer' } },
    Auth: {
      Type: 'AWS::ApiGateway::Authorizer',
      Properties: {
        Type: 'TOKEN',
        IdentitySource: 'method.request.header.Authorization',
        AuthorizerUri: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':apigateway:',
              { Ref: 'AWS::Region' },
              ':lambda:path/2015-03-31/functions/',
              { 'Fn::GetAtt': ['AuthFn', 'Arn'] },
              '/invocations',
            ],
          ],
        },
        ...authorizer,
      },
    },
  },
});

describe('tokenAuthorizerOf (from the compiled template)', () => {
  it("reads a CUSTOM method's TOKEN authorizer: its function, header, TTL and validation expression", () => {
    const found = tokenAuthorizerOf(template({ AuthorizerResultTtlInSeconds: 60, IdentityValidationExpression: 'Bearer .+' }), {
      AuthorizationType: 'CUSTOM',
      AuthorizerId: { Ref: 'Auth' },
    });
    expect(found).toMatchObject({ id: 'Auth', functionName: 'shop-test-authorizer', header: 'authorization', ttlSeconds: 60 });
    expect(found?.validation?.test('Bearer abc')).toBe(true);
    expect(found?.validation?.test('xBearer abc')).toBe(false);
  });

  it("takes API Gateway's 300 s when the TTL is unset, and nothing for a method without an authorizer", () => {
    expect(tokenAuthorizerOf(template({}), { AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: 'Auth' } })?.ttlSeconds).toBe(300);
    expect(tokenAuthorizerOf(template({}), { AuthorizationType: 'NONE' })).toBeUndefined();
  });

  it('refuses what it cannot run rather than leave a route open: REQUEST authorizers, unknown ids', () => {
    expect(() => tokenAuthorizerOf(template({ Type: 'REQUEST' }), { AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: 'Auth' } })).toThrow(
      /only TOKEN/,
    );
    expect(() => tokenAuthorizerOf(template({}), { AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: 'Nope' } })).toThrow(/Cannot resolve/);
  });
});

describe('policyAllows', () => {
  const allow = (resource: string | string[], action: string | string[] = 'execute-api:Invoke') => ({
    Effect: 'Allow',
    Action: action,
    Resource: resource,
  });

  it('an Allow whose resource pattern matches the method ARN', () => {
    expect(policyAllows([allow(`${API}/*/*`)], arn('GET', '/users/u1'))).toBe(true);
    expect(policyAllows([allow(`${API}/GET/users/*`)], arn('GET', '/users/u1'))).toBe(true);
    expect(policyAllows([allow([`${API}/POST/*`, `${API}/GET/users/?1`])], arn('GET', '/users/u1'))).toBe(true);
    expect(policyAllows([allow('*', '*')], arn('GET', '/x'))).toBe(true);
  });

  it('no matching Allow, another action, or an explicit Deny: refused', () => {
    expect(policyAllows([allow(`${API}/POST/*`)], arn('GET', '/users/u1'))).toBe(false);
    expect(policyAllows([allow(`${API}/*/*`, 'execute-api:ManageConnections')], arn('GET', '/x'))).toBe(false);
    expect(
      policyAllows(
        [allow(`${API}/*/*`), { Effect: 'Deny', Action: 'execute-api:Invoke', Resource: `${API}/GET/admin*` }],
        arn('GET', '/admin'),
      ),
    ).toBe(false);
    expect(policyAllows([], arn('GET', '/x'))).toBe(false);
  });

  it('pattern characters of regular expressions are literal in resources', () => {
    expect(policyAllows([allow(`${API}/GET/a.c`)], arn('GET', '/abc'))).toBe(false);
  });
});

describe('TokenAuthorizers (cache and outcomes)', () => {
  const authorizer: TokenAuthorizer = { id: 'Auth', functionName: 'authorizer', header: 'authorization', ttlSeconds: 300 };
  const allowAll = (userId: string) => ({
    principalId: userId,
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: `${API}/*/*` }] },
    context: { userId, tokenExpiresAt: 1700000000, admin: false },
  });

  /** A fake authorizer function: answers by token, counts its invocations, and a settable clock. */
  function setup(answer: (token: string) => InvokeResult) {
    const calls: Array<{ functionName: string; event: any }> = [];
    const clock = { now: 1_000_000 };
    const authorizers = new TokenAuthorizers(
      async (functionName, event) => {
        calls.push({ functionName, event });
        return answer((event as { authorizationToken: string }).authorizationToken);
      },
      () => clock.now,
      3,
    );
    return { authorizers, calls, clock };
  }

  it('invokes the function with the TOKEN event and passes principalId and the context as strings', async () => {
    const { authorizers, calls } = setup((token) => ({ ok: true, payload: allowAll(token === 'Bearer a' ? 'alice' : 'x') }));
    const outcome = await authorizers.authorize(authorizer, 'Bearer a', arn('GET', '/users/alice'));
    expect(calls).toEqual([
      { functionName: 'authorizer', event: { type: 'TOKEN', authorizationToken: 'Bearer a', methodArn: arn('GET', '/users/alice') } },
    ]);
    expect(outcome).toEqual({
      outcome: 'allow',
      context: { principalId: 'alice', userId: 'alice', tokenExpiresAt: '1700000000', admin: 'false', integrationLatency: 0 },
    });
  });

  it("keeps a token's policy for the TTL, for every method it covers, then asks again", async () => {
    const { authorizers, calls, clock } = setup(() => ({ ok: true, payload: allowAll('alice') }));
    await authorizers.authorize(authorizer, 'Bearer a', arn('GET', '/users/alice'));
    await authorizers.authorize(authorizer, 'Bearer a', arn('POST', '/users/alice/orders'));
    expect(calls).toHaveLength(1);
    clock.now += 299_999;
    await authorizers.authorize(authorizer, 'Bearer a', arn('GET', '/x'));
    expect(calls).toHaveLength(1);
    clock.now += 1;
    await authorizers.authorize(authorizer, 'Bearer a', arn('GET', '/x'));
    expect(calls).toHaveLength(2);
  });

  it('concurrent requests with one new token invoke once', async () => {
    const { authorizers, calls } = setup(() => ({ ok: true, payload: allowAll('alice') }));
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => authorizers.authorize(authorizer, 'Bearer a', arn('GET', '/x'))));
    expect(outcomes.every((o) => o.outcome === 'allow')).toBe(true);
    expect(calls).toHaveLength(1);
  });

  it('with a TTL of 0, every request invokes', async () => {
    const { authorizers, calls } = setup(() => ({ ok: true, payload: allowAll('alice') }));
    for (let i = 0; i < 3; i++) await authorizers.authorize({ ...authorizer, ttlSeconds: 0 }, 'Bearer a', arn('GET', '/x'));
    expect(calls).toHaveLength(3);
  });

  it('keeps a bounded number of tokens, dropping the oldest', async () => {
    const { authorizers, calls } = setup(() => ({ ok: true, payload: allowAll('u') }));
    for (const token of ['t1', 't2', 't3', 't4']) await authorizers.authorize(authorizer, token, arn('GET', '/x'));
    await authorizers.authorize(authorizer, 't4', arn('GET', '/x'));
    expect(calls).toHaveLength(4);
    await authorizers.authorize(authorizer, 't1', arn('GET', '/x'));
    expect(calls).toHaveLength(5);
  });

  it('no header, or one failing the validation expression: 401 without invoking', async () => {
    const { authorizers, calls } = setup(() => ({ ok: true, payload: allowAll('u') }));
    expect(await authorizers.authorize(authorizer, undefined, arn('GET', '/x'))).toEqual({ outcome: 'unauthorized' });
    expect(await authorizers.authorize(authorizer, '', arn('GET', '/x'))).toEqual({ outcome: 'unauthorized' });
    expect(await authorizers.authorize({ ...authorizer, validation: /^Bearer .+$/ }, 'Basic x', arn('GET', '/x'))).toEqual({
      outcome: 'unauthorized',
    });
    expect(calls).toHaveLength(0);
  });

  it('"Unauthorized" is 401, any other failure or a malformed answer 500; neither is kept', async () => {
    const answers: Record<string, InvokeResult> = {
      refused: { ok: false, error: 'Unauthorized' },
      crashed: { ok: false, error: 'Cannot read properties of undefined' },
      noPolicy: { ok: true, payload: { principalId: 'u' } },
      badContext: { ok: true, payload: { ...allowAll('u'), context: { nested: { a: 1 } } } },
    };
    const { authorizers, calls } = setup((token) => answers[token] as InvokeResult);
    expect(await authorizers.authorize(authorizer, 'refused', arn('GET', '/x'))).toEqual({ outcome: 'unauthorized' });
    expect(await authorizers.authorize(authorizer, 'crashed', arn('GET', '/x'))).toEqual({ outcome: 'failed' });
    expect(await authorizers.authorize(authorizer, 'noPolicy', arn('GET', '/x'))).toEqual({ outcome: 'failed' });
    expect(await authorizers.authorize(authorizer, 'badContext', arn('GET', '/x'))).toEqual({ outcome: 'failed' });
    await authorizers.authorize(authorizer, 'refused', arn('GET', '/x'));
    expect(calls).toHaveLength(5);
  });

  it('an invocation that throws (offline unreachable) fails that request, leaves no unhandled rejection, and is not kept', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      let reachable = false;
      const calls: string[] = [];
      const authorizers = new TokenAuthorizers(async (functionName) => {
        calls.push(functionName);
        if (!reachable) throw new Error('connect ECONNREFUSED 127.0.0.1:3002');
        return { ok: true, payload: allowAll('alice') };
      });
      await expect(authorizers.authorize(authorizer, 'Bearer a', arn('GET', '/x'))).rejects.toThrow(/ECONNREFUSED/);
      // Node reports a rejection nobody handled once the microtasks have run: give it a turn of the event loop.
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).toEqual([]);
      reachable = true;
      expect(await authorizers.authorize(authorizer, 'Bearer a', arn('GET', '/x'))).toMatchObject({ outcome: 'allow' });
      expect(calls).toHaveLength(2);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it("a policy that does not cover the request's method ARN is 403, and is kept like any policy", async () => {
    const { authorizers, calls } = setup(() => ({
      ok: true,
      payload: {
        ...allowAll('u'),
        policyDocument: { Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: `${API}/GET/users/u` }] },
      },
    }));
    expect(await authorizers.authorize(authorizer, 'Bearer u', arn('GET', '/users/u'))).toMatchObject({ outcome: 'allow' });
    expect(await authorizers.authorize(authorizer, 'Bearer u', arn('GET', '/users/v'))).toEqual({ outcome: 'denied' });
    expect(calls).toHaveLength(1);
  });
});
