import { describe, expect, it } from 'vitest';
import { bearerToken } from '../../shared/auth/access-token-verifier.js';
import { allowPolicy, stageWideResource } from './authorizer-policy.js';

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';

describe('bearerToken', () => {
  it('takes the token after "Bearer " (scheme in any case)', () => {
    expect(bearerToken(`Bearer ${TOKEN}`)).toBe(TOKEN);
    expect(bearerToken(`bearer ${TOKEN}`)).toBe(TOKEN);
  });

  it.each([
    undefined,
    '',
    'Bearer',
    `Bearer  ${TOKEN}`,
    `Basic ${TOKEN}`,
    TOKEN,
    `Bearer ${TOKEN} x`,
    'Bearer a.b',
    'Bearer a.b.',
    `Bearer ${'a'.repeat(3000)}.b.c`,
  ])('refuses %j', (header) => {
    expect(bearerToken(header)).toBeUndefined();
  });
});

describe('the policy', () => {
  it('allows the whole stage (the decision is cached per token for every route)', () => {
    expect(stageWideResource('arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/users/42')).toBe(
      'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/*/*',
    );
    expect(stageWideResource('arn:aws-cn:execute-api:cn-north-1:123456789012:abc123/dev/POST/users')).toBe(
      'arn:aws-cn:execute-api:cn-north-1:123456789012:abc123/dev/*/*',
    );
    expect(() => stageWideResource('arn:aws:lambda:eu-west-1:123:function:x')).toThrow();
  });

  it('passes the user id, the token expiry and the roles (comma-separated, "" for none) in the context', () => {
    expect(allowPolicy('user-1', 'arn:aws:execute-api:us-east-1:1:api/local/GET/users', 1_900_000_000, ['admin']).context).toEqual({
      userId: 'user-1',
      tokenExpiresAt: 1_900_000_000,
      roles: 'admin',
    });
    const result = allowPolicy('user-1', 'arn:aws:execute-api:us-east-1:1:api/local/GET/users', 1_900_000_000);
    expect(result.principalId).toBe('user-1');
    expect(result.context).toEqual({
      userId: 'user-1',
      tokenExpiresAt: 1_900_000_000,
      roles: '',
    });
    expect(result.policyDocument.Statement).toEqual([
      {
        Action: 'execute-api:Invoke',
        Effect: 'Allow',
        Resource: 'arn:aws:execute-api:us-east-1:1:api/local/*/*',
      },
    ]);
  });
});
