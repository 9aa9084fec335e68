// The users repository and service against DynamoDB Local (the stack's table): claims, transactions,
// the credential/user split and paging, for real.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoDocumentClient } from '../../functions/shared/dynamodb.js';
import { ConflictError } from '../../functions/shared/domain-errors.js';
import {
  DynamoDbUserRepository,
  USERS_INDEX,
  credentialKey,
  readUserRoles,
  userKey,
} from '../../functions/users/adapters/dynamodb-user-repository.js';
import { DynamoDbLoginAttempts } from '../../functions/users/adapters/dynamodb-login-attempts.js';
import { Argon2PasswordHasher } from '../../functions/users/auth/password-hasher.js';
import { LoginAttemptGuard } from '../../functions/users/domain/login-attempts.js';
import type { User } from '../../functions/users/domain/user.js';
import { UserService } from '../../functions/users/domain/user-service.js';
import { describeLocal, stage } from '../support/env.js';

const table = () => `ecommerce-${stage()}-users`;
let client: ReturnType<typeof dynamoDocumentClient>;
let repository: DynamoDbUserRepository;

const newUser = (tag = 'repo'): User => ({
  userId: randomUUID(),
  email: `${tag}-${randomUUID()}@example.com`,
  name: `User ${tag}`,
  createdAt: new Date().toISOString(),
});

async function register(user: User, hash = '$scrypt$ln=10,r=8,p=1$c2FsdA$aGFzaA') {
  const claimId = randomUUID();
  expect(await repository.claimEmail(user.email, user.userId, claimId, 60)).toBe(true);
  expect(await repository.completeRegistration(user, hash, claimId, 'corr-it')).toBe(true);
}

describeLocal('users repository on DynamoDB Local', () => {
  beforeAll(() => {
    client = dynamoDocumentClient();
    repository = new DynamoDbUserRepository(client, table());
  });

  it('stores the user and its credential apart: the user item holds no password data', async () => {
    const user = newUser();
    await register(user, '$scrypt$ln=10,r=8,p=1$c2FsdA$aGFzaA');
    expect(await repository.getUser(user.userId)).toEqual(user);
    const raw = await client.send(new GetCommand({ TableName: table(), Key: { pk: `USER#${user.userId}`, sk: 'PROFILE' } }));
    expect(Object.keys(raw.Item ?? {}).sort()).toEqual(['correlationId', 'createdAt', 'email', 'entity', 'name', 'pk', 'sk', 'userId']);
    expect(await repository.findCredential(user.email)).toEqual({
      userId: user.userId,
      passwordHash: '$scrypt$ln=10,r=8,p=1$c2FsdA$aGFzaA',
    });
  });

  it('of 20 concurrent claims of one email exactly one wins', async () => {
    const email = `race-${randomUUID()}@example.com`;
    const results = await Promise.all(Array.from({ length: 20 }, () => repository.claimEmail(email, randomUUID(), randomUUID(), 60)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('a claim in progress blocks other sign-ups and log-ins; released, the email is free again', async () => {
    const user = newUser('pending');
    const claimId = randomUUID();
    expect(await repository.claimEmail(user.email, user.userId, claimId, 60)).toBe(true);
    expect(await repository.claimEmail(user.email, randomUUID(), randomUUID(), 60)).toBe(false);
    expect(await repository.findCredential(user.email)).toBeUndefined();
    await repository.releaseClaim(user.email, randomUUID()); // someone else's claim id: nothing happens
    expect(await repository.claimEmail(user.email, randomUUID(), randomUUID(), 60)).toBe(false);
    await repository.releaseClaim(user.email, claimId);
    expect(await repository.claimEmail(user.email, randomUUID(), randomUUID(), 60)).toBe(true);
  });

  it('an abandoned claim lapses: it can be taken over, and the late sign-up cannot complete', async () => {
    const user = newUser('lapsed');
    const stale = randomUUID();
    expect(await repository.claimEmail(user.email, user.userId, stale, 60)).toBe(true);
    const later = new DynamoDbUserRepository(client, table(), () => Date.now() + 120_000);
    const fresh = randomUUID();
    const other = { ...newUser('lapsed'), email: user.email };
    expect(await later.claimEmail(user.email, other.userId, fresh, 60)).toBe(true);
    expect(await repository.completeRegistration(user, 'hash', stale, 'c')).toBe(false);
    expect(await repository.getUser(user.userId)).toBeUndefined();
    expect(await later.completeRegistration(other, 'hash', fresh, 'c')).toBe(true);
  });

  it('a completed credential is never taken over, however old', async () => {
    const user = newUser('active');
    await register(user);
    const muchLater = new DynamoDbUserRepository(client, table(), () => Date.now() + 365 * 86_400_000);
    expect(await muchLater.claimEmail(user.email, randomUUID(), randomUUID(), 60)).toBe(false);
    const raw = await client.send(new GetCommand({ TableName: table(), Key: credentialKey(user.email) }));
    expect(raw.Item?.expiresAt).toBeUndefined(); // TTL never deletes a real account
    expect(raw.Item?.claimId).toBeUndefined();
  });

  it('replaces a password hash only if it is still the one that was checked', async () => {
    const user = newUser('rehash');
    await register(user, 'old-hash');
    await repository.replacePasswordHash(user.email, 'not-the-current-hash', 'newer-hash');
    expect((await repository.findCredential(user.email))?.passwordHash).toBe('old-hash');
    await repository.replacePasswordHash(user.email, 'old-hash', 'new-hash');
    expect((await repository.findCredential(user.email))?.passwordHash).toBe('new-hash');
  });

  it('lists users only ({userId, name}), paging exactly, never credentials', async () => {
    const registered: User[] = [];
    for (let i = 0; i < 5; i++) {
      const user = newUser('list');
      await register(user);
      registered.push(user);
    }
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await repository.listUsers(2, nextToken);
      for (const item of page.items) expect(Object.keys(item).sort()).toEqual(['name', 'userId']);
      if (page.nextToken) expect(page.items).toHaveLength(2);
      seen.push(...page.items.map((u) => u.userId));
      nextToken = page.nextToken;
      pages++;
    } while (nextToken && pages < 1000);
    expect(seen).toEqual(expect.arrayContaining(registered.map((user) => user.userId)));
    // The index in DynamoDB's own pages, to the last: the same users in the same order (oldest first), each once.
    const indexed: string[] = [];
    let from: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: table(),
          IndexName: USERS_INDEX,
          KeyConditionExpression: '#entity = :user',
          ExpressionAttributeNames: { '#entity': 'entity' },
          ExpressionAttributeValues: { ':user': 'USER' },
          ExclusiveStartKey: from,
        }),
      );
      indexed.push(...(page.Items ?? []).map((i) => i.userId as string));
      from = page.LastEvaluatedKey;
    } while (from);
    expect(seen).toEqual(indexed);
    // And the table's own account of its users, every page of it (it holds every suite's users and credentials):
    // the index misses none.
    const userIds: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const scan = await client.send(new ScanCommand({ TableName: table(), ConsistentRead: true, ExclusiveStartKey: start }));
      userIds.push(...(scan.Items ?? []).filter((i) => i.entity === 'USER').map((i) => i.userId as string));
      start = scan.LastEvaluatedKey;
    } while (start);
    expect([...seen].sort()).toEqual(userIds.sort());
  });

  it('the service with the real hasher: 20 concurrent sign-ups with one email give one user and 19 conflicts', async () => {
    const service = new UserService({
      users: repository,
      passwords: new Argon2PasswordHasher(),
      sessions: { open: async (userId) => ({ token: 't', expiresIn: 1, userId, roles: [], refreshToken: 'r', refreshExpiresIn: 1 }) },
      attempts: new LoginAttemptGuard(new DynamoDbLoginAttempts(client, `ecommerce-${stage()}-sessions`), {
        maxFailuresPerEmail: 5,
        maxFailuresPerAddress: 50,
        windowSeconds: 60,
      }),
    });
    const email = `svc-race-${randomUUID()}@example.com`;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        service.register({ email: i % 2 ? email.toUpperCase() : email, name: `Racer ${i}`, pwd: 'correct horse battery' }, 'c'),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(rejected).toHaveLength(19);
    for (const r of rejected) {
      expect(r.reason).toBeInstanceOf(ConflictError);
      expect(r.reason).toMatchObject({ code: 'EMAIL_TAKEN' });
    }
    const winner = (outcomes.find((o) => o.status === 'fulfilled') as PromiseFulfilledResult<User>).value;
    await expect(service.login({ email, password: 'correct horse battery' })).resolves.toMatchObject({ userId: winner.userId });
  });

  describe('roles', () => {
    it('a new user has none: nothing stored, and findRoles says []', async () => {
      const user = newUser('roles-new');
      await register(user);
      await expect(repository.findRoles(user.userId)).resolves.toEqual([]);
      const raw = await client.send(new GetCommand({ TableName: table(), Key: userKey(user.userId) }));
      expect(raw.Item?.roles).toBeUndefined();
    });

    it('setRoles replaces them on the profile item as a list, each once; [] takes them away', async () => {
      const user = newUser('roles-set');
      await register(user);
      await expect(repository.setRoles(user.userId, ['admin', 'admin'])).resolves.toBe(true);
      await expect(repository.findRoles(user.userId)).resolves.toEqual(['admin']);
      const raw = await client.send(new GetCommand({ TableName: table(), Key: userKey(user.userId) }));
      expect(raw.Item?.roles).toEqual(['admin']);
      expect(raw.Item).toMatchObject({ email: user.email, name: user.name }); // the rest of the profile is kept
      await expect(repository.setRoles(user.userId, [])).resolves.toBe(true);
      await expect(repository.findRoles(user.userId)).resolves.toEqual([]);
    });

    it('an unknown user: setRoles is false and makes no item; findRoles is undefined', async () => {
      const userId = randomUUID();
      await expect(repository.setRoles(userId, ['admin'])).resolves.toBe(false);
      const raw = await client.send(new GetCommand({ TableName: table(), Key: userKey(userId), ConsistentRead: true }));
      expect(raw.Item).toBeUndefined();
      await expect(repository.findRoles(userId)).resolves.toBeUndefined();
    });

    it('reads roles as others write them: a list (as an item written by hand holds it), a string set; unknown names left out', async () => {
      const user = newUser('roles-shapes');
      await register(user);
      const write = (roles: unknown) =>
        client.send(
          new UpdateCommand({
            TableName: table(),
            Key: userKey(user.userId),
            UpdateExpression: 'SET #roles = :roles',
            ExpressionAttributeNames: { '#roles': 'roles' },
            ExpressionAttributeValues: { ':roles': roles },
          }),
        );
      await write(['admin']);
      await expect(repository.findRoles(user.userId)).resolves.toEqual(['admin']);
      await write(new Set(['admin', 'root']));
      await expect(repository.findRoles(user.userId)).resolves.toEqual(['admin']);
      await write(['superuser', 7]);
      await expect(repository.findRoles(user.userId)).resolves.toEqual([]);
      await write('admin'); // not a list: no role
      await expect(repository.findRoles(user.userId)).resolves.toEqual([]);
    });

    it('findUserIdByEmail: the user of an active credential; nobody for a sign-up in progress or an unknown email', async () => {
      const user = newUser('roles-email');
      await register(user);
      await expect(repository.findUserIdByEmail(user.email)).resolves.toBe(user.userId);
      const pending = newUser('roles-pending');
      expect(await repository.claimEmail(pending.email, pending.userId, randomUUID(), 60)).toBe(true);
      await expect(repository.findUserIdByEmail(pending.email)).resolves.toBeUndefined();
      await expect(repository.findUserIdByEmail(`nobody-${randomUUID()}@example.com`)).resolves.toBeUndefined();
    });

    it('signed as the functions that call them, the local stack lets each do its part and no more', async () => {
      const user = newUser('roles-iam');
      await register(user);
      await repository.setRoles(user.userId, ['admin']);
      const signedAs = (name: string) =>
        DynamoDBDocumentClient.from(
          new DynamoDBClient({ credentials: { accessKeyId: `ecommerce-${stage()}-${name}`, secretAccessKey: 'any' }, maxAttempts: 1 }),
        );
      const denied = (promise: Promise<unknown>) => expect(promise).rejects.toMatchObject({ name: 'AccessDeniedException' });
      // Log-in and refresh read the roles (GetItem of USER#), and write nothing in the users table.
      for (const name of ['login', 'refreshToken']) {
        await expect(readUserRoles(signedAs(name), table(), user.userId)).resolves.toEqual(['admin']);
        await denied(new DynamoDbUserRepository(signedAs(name), table()).setRoles(user.userId, []));
      }
      // setUserRoles updates USER# items only, and reads nothing.
      const setter = new DynamoDbUserRepository(signedAs('setUserRoles'), table());
      await expect(setter.setRoles(user.userId, [])).resolves.toBe(true);
      await denied(setter.findRoles(user.userId));
      await denied(
        signedAs('setUserRoles').send(
          new UpdateCommand({
            TableName: table(),
            Key: credentialKey(user.email),
            UpdateExpression: 'SET #s = :s',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':s': 'ACTIVE' },
          }),
        ),
      );
      await denied(
        signedAs('setUserRoles').send(new PutCommand({ TableName: table(), Item: { ...userKey(randomUUID()), roles: ['admin'] } })),
      );
    });
  });
});
