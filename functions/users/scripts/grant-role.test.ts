// The grant command's command line and targets (tests/integration/grant-role.test.ts runs it against a stack).
import { describe, expect, it } from 'vitest';
import { DEFAULT_PORTS, LOCAL_CREDENTIALS as STACK_CREDENTIALS } from '../../../local/stack.js';
import { grantRole, grantRoleTarget, LOCAL_CREDENTIALS, LOCAL_DYNAMODB_PORT, parseGrantRoleArgs, UsageError } from './grant-role.js';

describe('grant-role: the command line', () => {
  it('reads --email, --role, --revoke, --port-offset, --stage, --region, --endpoint-url', () => {
    expect(parseGrantRoleArgs(['--email', 'ada@example.com', '--role', 'admin'])).toEqual({
      email: 'ada@example.com',
      role: 'admin',
      revoke: false,
    });
    expect(parseGrantRoleArgs(['--email', 'a@b.c', '--role', 'admin', '--revoke', '--port-offset', '100'])).toEqual({
      email: 'a@b.c',
      role: 'admin',
      revoke: true,
      portOffset: 100,
    });
    expect(parseGrantRoleArgs(['--email', 'a@b.c', '--role', 'admin', '--stage', 'dev', '--region', 'eu-west-1'])).toMatchObject({
      stage: 'dev',
      region: 'eu-west-1',
    });
  });

  it.each([
    ['no email', ['--role', 'admin'], /--email/],
    ['no role', ['--email', 'a@b.c'], /--role/],
    ['an unknown role', ['--email', 'a@b.c', '--role', 'root'], /--role must be one of: admin/],
    ['an unknown option', ['--email', 'a@b.c', '--role', 'admin', '--force'], /force/],
    ['a port offset that is not a number', ['--email', 'a@b.c', '--role', 'admin', '--port-offset', 'ten'], /--port-offset/],
  ])('refuses %s (a UsageError: exit 2)', (_name, argv, message) => {
    expect(() => parseGrantRoleArgs(argv)).toThrow(UsageError);
    expect(() => parseGrantRoleArgs(argv)).toThrow(message);
  });
});

describe('grant-role: where it writes', () => {
  it('by default the running `npm start` stack: its DynamoDB endpoint, signed with the stack’s own key, table ecommerce-local-users', () => {
    // The same port and key local/stack.ts gives the stack (its own calls are not held to a function's role).
    expect(LOCAL_DYNAMODB_PORT).toBe(DEFAULT_PORTS.dynamodb);
    expect(LOCAL_CREDENTIALS).toEqual(STACK_CREDENTIALS);
    expect(grantRoleTarget({})).toMatchObject({
      local: true,
      tableName: 'ecommerce-local-users',
      client: { endpoint: 'http://127.0.0.1:8000', credentials: LOCAL_CREDENTIALS, region: 'us-east-1' },
    });
    expect(grantRoleTarget({ portOffset: 100 }).client.endpoint).toBe('http://127.0.0.1:8100');
  });

  it('with --stage the stage’s users table with the caller’s own credentials (no endpoint, no key of ours)', () => {
    const target = grantRoleTarget({ stage: 'dev', region: 'eu-west-1' });
    expect(target).toEqual({
      local: false,
      tableName: 'ecommerce-dev-users',
      client: { region: 'eu-west-1' },
      description: 'stage dev (eu-west-1)',
    });
    expect(grantRoleTarget({ stage: 'prod', service: 'shop' }).tableName).toBe('shop-prod-users');
  });

  it('refuses --port-offset with --stage, and a stage name that is no stage name', () => {
    expect(() => grantRoleTarget({ stage: 'dev', portOffset: 1 })).toThrow(UsageError);
    expect(() => grantRoleTarget({ stage: 'dev users' })).toThrow(UsageError);
    expect(() => grantRoleTarget({ portOffset: 60_000 })).toThrow(UsageError);
  });

  it('says plainly that nothing answers when no local stack runs there', async () => {
    await expect(grantRole({ email: 'a@b.c', role: 'admin', endpoint: 'http://127.0.0.1:9' })).rejects.toThrow(
      'Nothing answers at http://127.0.0.1:9: is `npm start` running (with this --port-offset)?',
    );
  });
});
