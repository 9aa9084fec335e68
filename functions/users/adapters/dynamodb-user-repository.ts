import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isRole, normalizeRoles, type Role } from '../../shared/auth/roles.js';
import { transactWrite } from '../../shared/dynamodb.js';
import { PageTokens, type Page } from '../../shared/pagination.js';
import type { User, UserRepository, UserSummary } from '../domain/user.js';

/**
 * Item layout in the users table (generic keys):
 * - the user:       pk=USER#<userId>  sk=PROFILE     {userId, email, name, createdAt, correlationId, roles?}
 * - the credential: pk=EMAIL#<email>  sk=CREDENTIAL  {userId, email, status, passwordHash | claimId, expiresAt}
 * The credential item is the email claim (its key makes the email unique) and the only item that
 * holds password data, so reads of users (GET /users, GET /users/{id}) never touch a hash.
 * A sign-up first writes it as PENDING (no hash yet) with `expiresAt`; completing the sign-up makes
 * it ACTIVE and removes `expiresAt`. An abandoned claim may be taken over once expired (and the
 * table's TTL on `expiresAt` eventually deletes it).
 * `roles` on the user item is a list of role names (functions/shared/auth/roles.ts); absent or `[]`: none, as for
 * every new user. Only an operator's grant or an admin's `PUT /users/{userId}/roles` writes it.
 */
export const userKey = (userId: string) => ({
  pk: `USER#${userId}`,
  sk: 'PROFILE',
});
export const credentialKey = (email: string) => ({
  pk: `EMAIL#${email}`,
  sk: 'CREDENTIAL',
});
/**
 * `GET /users` reads UsersIndex: `entity` and `createdAt` key it, and only user items have both (a
 * credential has no createdAt), so the index holds users alone, oldest first, with `userId` and `name`
 * projected: a page reads what it answers and never an email or a hash. It goes on after a user's keys.
 */
export const USERS_INDEX = 'UsersIndex';
const userPageTokens = new PageTokens(
  ['pk', 'sk', 'entity', 'createdAt'],
  ({ pk, sk, entity, createdAt }) =>
    typeof pk === 'string' && pk.startsWith('USER#') && sk === 'PROFILE' && entity === 'USER' && typeof createdAt === 'string',
);
export const USER_ENTITY = 'USER';
export const CREDENTIAL_ENTITY = 'CREDENTIAL';
const PENDING = 'PENDING';
const ACTIVE = 'ACTIVE';

export interface UserItem extends User {
  pk: string;
  sk: string;
  entity: typeof USER_ENTITY;
  /** Of the sign-up request: the UserRegistered event (published from the stream) carries it on. */
  correlationId: string;
}

/** A stored `roles` attribute as roles: a list (or a string set, if someone wrote one), unknown names left out. */
const storedRoles = (value: unknown): Role[] =>
  normalizeRoles((Array.isArray(value) ? value : value instanceof Set ? [...(value as Set<unknown>)] : []).filter(isRole));

/**
 * The user's roles (their profile item's `roles`); undefined when there is no such user. A function of its own,
 * so log-in and refresh read roles without bundling the rest of the repository. A strongly consistent read: a
 * revocation is seen by the very next refresh.
 */
export async function readUserRoles(client: DynamoDBDocumentClient, tableName: string, userId: string): Promise<Role[] | undefined> {
  const { Item } = await client.send(
    new GetCommand({
      TableName: tableName,
      Key: userKey(userId),
      ConsistentRead: true,
      ProjectionExpression: 'pk, #roles',
      ExpressionAttributeNames: { '#roles': 'roles' },
    }),
  );
  return Item ? storedRoles(Item.roles) : undefined;
}

const toUser = ({ userId, email, name, createdAt }: UserItem): User => ({
  userId,
  email,
  name,
  createdAt,
});

export class DynamoDbUserRepository implements UserRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly nowMs: () => number = Date.now,
  ) {}

  async claimEmail(email: string, userId: string, claimId: string, ttlSeconds: number): Promise<boolean> {
    const now = Math.floor(this.nowMs() / 1000);
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...credentialKey(email),
            entity: CREDENTIAL_ENTITY,
            status: PENDING,
            userId,
            email,
            claimId,
            expiresAt: now + ttlSeconds,
          },
          // Free, or a claim of a sign-up that died half-way (and so never became ACTIVE).
          ConditionExpression: 'attribute_not_exists(pk) OR (#status = :pending AND expiresAt < :now)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pending': PENDING, ':now': now },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async completeRegistration(user: User, passwordHash: string, claimId: string, correlationId: string): Promise<boolean> {
    const userItem: UserItem = {
      ...userKey(user.userId),
      entity: USER_ENTITY,
      ...user,
      correlationId,
    };
    return transactWrite<boolean>(
      this.client,
      [
        {
          Update: {
            TableName: this.tableName,
            Key: credentialKey(user.email),
            UpdateExpression: 'SET #status = :active, passwordHash = :hash REMOVE claimId, expiresAt',
            ConditionExpression: 'claimId = :claim AND #status = :pending',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':active': ACTIVE,
              ':pending': PENDING,
              ':hash': passwordHash,
              ':claim': claimId,
            },
          },
        },
        {
          Put: {
            TableName: this.tableName,
            Item: userItem,
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ],
      true,
      // The claim lapsed and was taken over.
      ([claim]) => (claim === 'ConditionalCheckFailed' ? false : undefined),
    );
  }

  async releaseClaim(email: string, claimId: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: credentialKey(email),
          ConditionExpression: 'claimId = :claim AND #status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':claim': claimId, ':pending': PENDING },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async findCredential(email: string): Promise<{ userId: string; passwordHash: string } | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: credentialKey(email),
        ConsistentRead: true,
        ProjectionExpression: 'userId, passwordHash, #status',
        ExpressionAttributeNames: { '#status': 'status' },
      }),
    );
    if (!Item || Item.status !== ACTIVE || typeof Item.passwordHash !== 'string') return undefined;
    return { userId: Item.userId as string, passwordHash: Item.passwordHash };
  }

  async findUserIdByEmail(email: string): Promise<string | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: credentialKey(email),
        ConsistentRead: true,
        ProjectionExpression: 'userId, #status',
        ExpressionAttributeNames: { '#status': 'status' },
      }),
    );
    return Item?.status === ACTIVE && typeof Item.userId === 'string' ? Item.userId : undefined;
  }

  findRoles(userId: string): Promise<Role[] | undefined> {
    return readUserRoles(this.client, this.tableName, userId);
  }

  async setRoles(userId: string, roles: readonly Role[]): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: userKey(userId),
          UpdateExpression: 'SET #roles = :roles',
          // The user must exist: an update would otherwise create a profile item of nobody.
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#roles': 'roles' },
          ExpressionAttributeValues: { ':roles': normalizeRoles(roles) },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async replacePasswordHash(email: string, previousHash: string, newHash: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: credentialKey(email),
          UpdateExpression: 'SET passwordHash = :new',
          ConditionExpression: 'passwordHash = :previous AND #status = :active',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':new': newHash,
            ':previous': previousHash,
            ':active': ACTIVE,
          },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return; // changed meanwhile: keep the newer one
      throw error;
    }
  }

  async getUser(userId: string): Promise<User | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: userKey(userId),
        ConsistentRead: true,
        ProjectionExpression: 'userId, email, #name, createdAt',
        ExpressionAttributeNames: { '#name': 'name' },
      }),
    );
    return Item ? toUser(Item as UserItem) : undefined;
  }

  /** The whole user item (with the sign-up's correlation id), for the outbox relay. */
  async getUserItem(userId: string): Promise<UserItem | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: userKey(userId),
        ConsistentRead: true,
      }),
    );
    return Item as UserItem | undefined;
  }

  async listUsers(limit: number, nextToken?: string): Promise<Page<UserSummary>> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: USERS_INDEX,
        KeyConditionExpression: '#entity = :user',
        ExpressionAttributeNames: { '#entity': 'entity' },
        ExpressionAttributeValues: { ':user': USER_ENTITY },
        Limit: limit + 1,
        ExclusiveStartKey: userPageTokens.decode(nextToken),
      }),
    );
    const items = Items.slice(0, limit) as Array<Pick<UserItem, 'pk' | 'sk' | 'entity' | 'createdAt' | 'userId' | 'name'>>;
    const page = items.map(({ userId, name }) => ({ userId, name }));
    return Items.length > limit ? { items: page, nextToken: userPageTokens.after(items[limit - 1] as object) } : { items: page };
  }
}
