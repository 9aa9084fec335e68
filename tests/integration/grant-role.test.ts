// The operator's grant (functions/users/scripts/grant-role.ts) against the test stack, as `npm start`'s: its DynamoDB
// endpoint by --port-offset (the test stack's ports are npm start's, moved up), signed with the stack's own key.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, expect, it } from 'vitest';
import { dynamoDocumentClient } from '../../functions/shared/dynamodb.js';
import { NotFoundError } from '../../functions/shared/domain-errors.js';
import { DynamoDbUserRepository, userKey } from '../../functions/users/adapters/dynamodb-user-repository.js';
import { grantRole, LOCAL_DYNAMODB_PORT } from '../../functions/users/scripts/grant-role.js';
import { describeLocal, stage } from '../support/env.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const table = () => `ecommerce-${stage()}-users`;
/** The --port-offset that reaches this stack's DynamoDB endpoint, as it would reach npm start's. */
const portOffset = () => Number(new URL(process.env.AWS_ENDPOINT_URL_DYNAMODB as string).port) - LOCAL_DYNAMODB_PORT;

let repository: DynamoDbUserRepository;

/** A signed-up user (the repository's two steps, as sign-up does them); returns the id. */
async function signedUp(email: string): Promise<string> {
  const userId = randomUUID();
  const claimId = randomUUID();
  expect(await repository.claimEmail(email, userId, claimId, 60)).toBe(true);
  expect(
    await repository.completeRegistration(
      { userId, email, name: 'Operator Test', createdAt: new Date().toISOString() },
      'hash',
      claimId,
      'c',
    ),
  ).toBe(true);
  return userId;
}

const storedRoles = async (userId: string) =>
  (await dynamoDocumentClient().send(new GetCommand({ TableName: table(), Key: userKey(userId), ConsistentRead: true }))).Item?.roles;

describeLocal('npm run users:grant-role against a local stack', () => {
  beforeAll(() => {
    repository = new DynamoDbUserRepository(dynamoDocumentClient(), table());
  });

  it('grants, says so, and a repeat changes nothing; --revoke takes it away', async () => {
    const email = `grant-${randomUUID()}@example.com`;
    const userId = await signedUp(email);
    const granted = await grantRole({ email: email.toUpperCase(), role: 'admin', portOffset: portOffset() });
    expect(granted).toMatchObject({ userId, email, roles: ['admin'], changed: true });
    expect(granted.message).toMatch(new RegExp(`^Granted the role admin to ${email} \\(user ${userId}\\) on the local stack`));
    expect(await storedRoles(userId)).toEqual(['admin']);

    const again = await grantRole({ email, role: 'admin', portOffset: portOffset() });
    expect(again).toMatchObject({ roles: ['admin'], changed: false });
    expect(again.message).toContain('already has the role admin: nothing changed');

    const revoked = await grantRole({ email, role: 'admin', revoke: true, portOffset: portOffset() });
    expect(revoked).toMatchObject({ roles: [], changed: true });
    expect(revoked.message).toMatch(/^Revoked the role admin from .*\(one access-token lifetime, 15 minutes by default\)/);
    expect(await storedRoles(userId)).toEqual([]);
  });

  it('an email nobody has: NotFoundError naming it and where it looked, and nothing is written', async () => {
    const email = `nobody-${randomUUID()}@example.com`;
    const failure = await grantRole({ email, role: 'admin', portOffset: portOffset() }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(NotFoundError);
    expect((failure as Error).message).toBe(
      `No user has the email ${email} on the local stack (DynamoDB ${process.env.AWS_ENDPOINT_URL_DYNAMODB}), table ${table()}`,
    );
  });

  it('the command itself: prints what it did (exit 0); an unknown email is a clear error (exit 1)', async () => {
    const email = `grant-cli-${randomUUID()}@example.com`;
    const userId = await signedUp(email);
    const run = (...args: string[]) =>
      promisify(execFile)(resolve(ROOT, 'node_modules/.bin/tsx'), ['functions/users/scripts/grant-role.ts', ...args], { cwd: ROOT }).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
    const ok = await run('--email', email, '--role', 'admin', '--port-offset', String(portOffset()));
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`Granted the role admin to ${email} (user ${userId})`);
    expect(ok.stderr).toBe('');
    expect(await storedRoles(userId)).toEqual(['admin']);

    const unknown = await run('--email', 'nobody@example.com', '--role', 'admin', '--port-offset', String(portOffset()));
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('grant-role failed: No user has the email nobody@example.com on the local stack');
    expect(unknown.stdout).toBe('');
  });
});
