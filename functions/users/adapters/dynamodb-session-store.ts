import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { transactWrite } from '../../shared/dynamodb.js';
import type { RefreshTokenRecord, RotationOutcome, SessionStore } from '../domain/sessions.js';

/**
 * Item layout in the sessions table (generic keys; `expiresAt` is the table's TTL attribute):
 * - a refresh token: pk=TOKEN#<sha256 of the token>  sk=TOKEN             {userId, familyId, status, expiresAt, familyExpiresAt}
 * - a family:        pk=USER#<userId>                sk=FAMILY#<familyId> {status ACTIVE|REVOKED, createdAt, expiresAt}
 * Spent tokens stay until they expire: that is how a replayed one is recognised. Families sit under
 * their user, so revoking all of them is one Query.
 */
const tokenKey = (tokenHash: string) => ({ pk: `TOKEN#${tokenHash}`, sk: 'TOKEN' });
const familyKey = (userId: string, familyId: string) => ({ pk: `USER#${userId}`, sk: `FAMILY#${familyId}` });

const tokenItem = (record: RefreshTokenRecord, issuedAt: number) => ({
  ...tokenKey(record.tokenHash),
  entity: 'REFRESH_TOKEN',
  userId: record.userId,
  familyId: record.familyId,
  status: record.status,
  issuedAt,
  expiresAt: record.expiresAt,
  familyExpiresAt: record.familyExpiresAt,
});

export class DynamoDbSessionStore implements SessionStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async openFamily(first: RefreshTokenRecord, createdAt: number): Promise<void> {
    await transactWrite(
      this.client,
      [
        {
          Put: {
            TableName: this.tableName,
            Item: {
              ...familyKey(first.userId, first.familyId),
              entity: 'SESSION_FAMILY',
              status: 'ACTIVE',
              createdAt,
              expiresAt: first.familyExpiresAt,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        { Put: { TableName: this.tableName, Item: tokenItem(first, createdAt), ConditionExpression: 'attribute_not_exists(pk)' } },
      ],
      undefined,
      () => undefined,
    );
  }

  async findToken(tokenHash: string): Promise<RefreshTokenRecord | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: tokenKey(tokenHash), ConsistentRead: true }));
    if (!Item) return undefined;
    return {
      tokenHash,
      userId: Item.userId as string,
      familyId: Item.familyId as string,
      status: Item.status === 'ACTIVE' ? 'ACTIVE' : 'SPENT',
      expiresAt: Item.expiresAt as number,
      familyExpiresAt: Item.familyExpiresAt as number,
    };
  }

  rotate(spent: RefreshTokenRecord, next: RefreshTokenRecord, now: number): Promise<RotationOutcome> {
    return transactWrite<RotationOutcome>(
      this.client,
      [
        {
          Update: {
            TableName: this.tableName,
            Key: tokenKey(spent.tokenHash),
            UpdateExpression: 'SET #status = :spent, spentAt = :now',
            ConditionExpression: '#status = :active',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':spent': 'SPENT', ':active': 'ACTIVE', ':now': now },
          },
        },
        {
          ConditionCheck: {
            TableName: this.tableName,
            Key: familyKey(spent.userId, spent.familyId),
            ConditionExpression: '#status = :active',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':active': 'ACTIVE' },
          },
        },
        { Put: { TableName: this.tableName, Item: tokenItem(next, now), ConditionExpression: 'attribute_not_exists(pk)' } },
      ],
      'ROTATED',
      ([token, family]) => {
        if (token === 'ConditionalCheckFailed') return 'ALREADY_SPENT';
        if (family === 'ConditionalCheckFailed') return 'FAMILY_REVOKED';
        return undefined;
      },
    );
  }

  async revokeFamily(userId: string, familyId: string, now: number): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: familyKey(userId, familyId),
          UpdateExpression: 'SET #status = :revoked, revokedAt = if_not_exists(revokedAt, :now)',
          ConditionExpression: 'attribute_exists(pk)', // never create a family by revoking it
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':revoked': 'REVOKED', ':now': now },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error; // gone already (expired): nothing to revoke
    }
  }

  async revokeAllFamilies(userId: string, now: number): Promise<number> {
    let revoked = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :user AND begins_with(sk, :family)',
          FilterExpression: '#status = :active',
          ProjectionExpression: 'sk',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':user': `USER#${userId}`, ':family': 'FAMILY#', ':active': 'ACTIVE' },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      const familyIds = (page.Items ?? []).map((item) => (item.sk as string).slice('FAMILY#'.length));
      await Promise.all(familyIds.map((familyId) => this.revokeFamily(userId, familyId, now)));
      revoked += familyIds.length;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return revoked;
  }
}
