// The sessions table's adapters against DynamoDB Local (the stack's table): the conditional writes
// that make rotation single-use and the attempt counters exact under concurrency, for real.
import { randomUUID } from 'node:crypto';
import { GetCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, expect, it } from 'vitest';
import { dynamoDocumentClient } from '../../functions/shared/dynamodb.js';
import { InvalidRefreshTokenError } from '../../functions/shared/domain-errors.js';
import { DynamoDbLoginAttempts } from '../../functions/users/adapters/dynamodb-login-attempts.js';
import { DynamoDbSessionStore } from '../../functions/users/adapters/dynamodb-session-store.js';
import { SessionService, refreshTokenHash, type RefreshTokenRecord } from '../../functions/users/domain/sessions.js';
import { describeLocal, stage } from '../support/env.js';

const table = () => `ecommerce-${stage()}-sessions`;
let client: ReturnType<typeof dynamoDocumentClient>;
let store: DynamoDbSessionStore;
let attempts: DynamoDbLoginAttempts;
const now = () => Math.floor(Date.now() / 1000);

/** The item at exactly these keys (read consistently), or undefined. */
async function itemAt(pk: string, sk: string) {
  const { Item } = await client.send(new GetCommand({ TableName: table(), Key: { pk, sk }, ConsistentRead: true }));
  return Item;
}

/** Every item under one partition key, to the last page. */
async function itemsUnder(pk: string) {
  const items: Array<Record<string, unknown>> = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Every item of the table, to the last page (the table grows with every suite's sessions). */
async function wholeTable() {
  const items: Array<Record<string, unknown>> = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table(), ConsistentRead: true, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

const record = (userId: string, familyId: string, overrides: Partial<RefreshTokenRecord> = {}): RefreshTokenRecord => ({
  tokenHash: randomUUID().replaceAll('-', ''),
  userId,
  familyId,
  status: 'ACTIVE',
  expiresAt: now() + 600,
  familyExpiresAt: now() + 3600,
  ...overrides,
});

const service = () =>
  new SessionService({
    store,
    lifetimes: { refreshTokenTtlSeconds: 600, sessionMaxSeconds: 3600 },
    tokens: { issue: async () => ({ token: 'access', expiresIn: 900 }) },
  });

describeLocal('sessions table on DynamoDB Local', () => {
  beforeAll(() => {
    client = dynamoDocumentClient();
    store = new DynamoDbSessionStore(client, table());
    attempts = new DynamoDbLoginAttempts(client, table());
  });

  it('of 10 concurrent rotations of one token exactly one is ROTATED, the rest ALREADY_SPENT', async () => {
    const userId = randomUUID();
    const first = record(userId, randomUUID());
    await store.openFamily(first, now());
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => store.rotate(first, record(userId, first.familyId), now())));
    expect(outcomes.filter((o) => o === 'ROTATED')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'ALREADY_SPENT')).toHaveLength(9);
    expect(await store.findToken(first.tokenHash)).toMatchObject({ status: 'SPENT', userId, familyId: first.familyId });
  });

  it('a revoked family cannot rotate, and revoking an unknown family creates nothing', async () => {
    const userId = randomUUID();
    const first = record(userId, randomUUID());
    await store.openFamily(first, now());
    await store.revokeFamily(userId, first.familyId, now());
    await expect(store.rotate(first, record(userId, first.familyId), now())).resolves.toBe('FAMILY_REVOKED');
    expect(await store.findToken(first.tokenHash)).toMatchObject({ status: 'ACTIVE' }); // the transaction changed nothing
    const ghost = randomUUID();
    await store.revokeFamily(userId, ghost, now());
    // Where the family would be, and everything under the user: the one real family only.
    expect(await itemAt(`USER#${userId}`, `FAMILY#${ghost}`)).toBeUndefined();
    expect((await itemsUnder(`USER#${userId}`)).map((item) => item.sk)).toEqual([`FAMILY#${first.familyId}`]);
  });

  it('revokes all of a user’s families (past one page of the query), and only theirs', async () => {
    const userId = randomUUID();
    const other = record(randomUUID(), randomUUID());
    await store.openFamily(other, now());
    const families = Array.from({ length: 25 }, () => record(userId, randomUUID()));
    await Promise.all(families.map((first) => store.openFamily(first, now())));
    await expect(store.revokeAllFamilies(userId, now())).resolves.toBe(25);
    await expect(store.revokeAllFamilies(userId, now())).resolves.toBe(0);
    for (const first of families.slice(0, 3))
      await expect(store.rotate(first, record(userId, first.familyId), now())).resolves.toBe('FAMILY_REVOKED');
    await expect(store.rotate(other, record(other.userId, other.familyId), now())).resolves.toBe('ROTATED');
  });

  it('the service on this table: a replayed token revokes the family, and no refresh token is stored in the clear', async () => {
    const sessions = service();
    const userId = randomUUID();
    const first = await sessions.open(userId);
    const second = await sessions.refresh(first.refreshToken);
    await expect(sessions.refresh(first.refreshToken)).rejects.toBeInstanceOf(InvalidRefreshTokenError);
    await expect(sessions.refresh(second.refreshToken)).rejects.toBeInstanceOf(InvalidRefreshTokenError);
    // The session's items: its family under the user, each token under its hash.
    const family = await itemsUnder(`USER#${userId}`);
    expect(family).toEqual([expect.objectContaining({ entity: 'SESSION_FAMILY', status: 'REVOKED' })]);
    const tokens = [
      await itemAt(`TOKEN#${refreshTokenHash(first.refreshToken)}`, 'TOKEN'),
      await itemAt(`TOKEN#${refreshTokenHash(second.refreshToken)}`, 'TOKEN'),
    ];
    for (const token of tokens) expect(token).toMatchObject({ entity: 'REFRESH_TOKEN', userId });
    // Neither token in the clear anywhere in the table: every item, to the last page (this session's among them).
    const everything = JSON.stringify(await wholeTable());
    expect(everything).toContain(refreshTokenHash(second.refreshToken));
    expect(everything).not.toContain(first.refreshToken);
    expect(everything).not.toContain(second.refreshToken);
  });

  it('attempt counters: 20 concurrent reservations with a limit of 5 reserve exactly 5', async () => {
    const key = `EMAIL#${randomUUID()}`;
    const t = now();
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => attempts.reserve(key, 5, 60, t)));
    expect(outcomes.filter((o) => o.reserved)).toHaveLength(5);
    for (const refused of outcomes.filter((o) => !o.reserved)) expect(refused).toEqual({ reserved: false, retryAfterSeconds: 60 });
  });

  it('attempt counters: a release frees a slot; a closed window starts again from one', async () => {
    const key = `ADDRESS#${randomUUID()}`;
    const t = now();
    for (let i = 0; i < 2; i++) expect(await attempts.reserve(key, 2, 60, t)).toEqual({ reserved: true });
    expect(await attempts.reserve(key, 2, 60, t + 10)).toEqual({ reserved: false, retryAfterSeconds: 50 });
    await attempts.release(key, 60, t + 10);
    expect(await attempts.reserve(key, 2, 60, t + 10)).toEqual({ reserved: true });
    expect(await attempts.reserve(key, 2, 60, t + 59)).toEqual({ reserved: false, retryAfterSeconds: 1 });
    expect(await attempts.reserve(key, 2, 60, t + 60)).toEqual({ reserved: true }); // the window closed at t + 60
    expect(await attempts.reserve(key, 2, 60, t + 60)).toEqual({ reserved: true });
    expect(await attempts.reserve(key, 2, 60, t + 61)).toEqual({ reserved: false, retryAfterSeconds: 59 });
  });
});
