// Reads a record of the users table's stream (KEYS_ONLY: no password hash travels in it).
import type { DynamoDBRecord } from 'aws-lambda';

/** The new user's id when the record is the insert of a user item; undefined for credentials, updates and removals. */
export function insertedUserId(record: DynamoDBRecord): string | undefined {
  if (record.eventName !== 'INSERT') return undefined;
  const keys = record.dynamodb?.Keys;
  const pk = keys?.pk?.S;
  if (keys?.sk?.S !== 'PROFILE' || !pk?.startsWith('USER#')) return undefined;
  return pk.slice('USER#'.length);
}
