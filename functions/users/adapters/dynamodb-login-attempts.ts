import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AttemptCounters, Reservation } from '../domain/login-attempts.js';

/**
 * One item per counter in the sessions table: pk=ATTEMPTS#<key> sk=ATTEMPTS {attempts, windowStart,
 * expiresAt}; the table's TTL removes it after its window. Every change is a conditional write, so
 * concurrent log-ins cannot count past the limit or lose a count.
 */
const counterKey = (key: string) => ({ pk: `ATTEMPTS#${key}`, sk: 'ATTEMPTS' });

/** Enough for any realistic interleaving of concurrent attempts on one counter. */
const MAX_TRIES = 5;

export class DynamoDbLoginAttempts implements AttemptCounters {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async reserve(key: string, max: number, windowSeconds: number, now: number): Promise<Reservation> {
    const windowOpenSince = now - windowSeconds; // windows that started after this are still open
    for (let tries = 1; ; tries++) {
      // The common case: an open window with room left.
      if (
        await this.conditional(() =>
          this.count(key, 1, 'windowStart > :since AND attempts < :max', { ':since': windowOpenSince, ':max': max }),
        )
      ) {
        return { reserved: true };
      }
      const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: counterKey(key), ConsistentRead: true }));
      if (Item && (Item.windowStart as number) > windowOpenSince) {
        if ((Item.attempts as number) >= max)
          return { reserved: false, retryAfterSeconds: (Item.windowStart as number) + windowSeconds - now };
      } else if (
        // No window, or a closed one: this attempt opens a new window (unless a concurrent one just did).
        await this.conditional(() =>
          this.client.send(
            new PutCommand({
              TableName: this.tableName,
              Item: { ...counterKey(key), entity: 'LOGIN_ATTEMPTS', attempts: 1, windowStart: now, expiresAt: now + windowSeconds },
              ConditionExpression: 'attribute_not_exists(pk) OR windowStart <= :since',
              ExpressionAttributeValues: { ':since': windowOpenSince },
            }),
          ),
        )
      ) {
        return { reserved: true };
      }
      if (tries >= MAX_TRIES) throw new Error(`could not count a log-in attempt after ${MAX_TRIES} tries`);
    }
  }

  async release(key: string, windowSeconds: number, now: number): Promise<void> {
    // Only within the window the reservation was made in (a new window starts from zero anyway).
    await this.conditional(() =>
      this.count(key, -1, 'windowStart > :since AND attempts > :zero', { ':since': now - windowSeconds, ':zero': 0 }),
    );
  }

  private count(key: string, by: 1 | -1, condition: string, values: Record<string, number>) {
    return this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: counterKey(key),
        UpdateExpression: 'ADD attempts :by',
        ConditionExpression: condition,
        ExpressionAttributeValues: { ':by': by, ...values },
      }),
    );
  }

  /** true when the write happened, false when its condition did not hold. */
  private async conditional(write: () => Promise<unknown>): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
