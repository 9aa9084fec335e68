// An admin for the end-to-end suites of the local stack: a user signed up and logged in through the API, granted the
// role admin on their stored profile (as an operator's grant does), then logged in again so the token carries it.
// Local only: the grant writes the users table of the local stack with the AWS SDK (call it in a describeLocal suite).
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { stackClientConfig } from '../support/aws.js';
import { stage } from '../support/env.js';
import { api } from '../support/http.js';
import type { Session } from './orders-support.js';
import { decodePart } from './token-forge.js';

/** The DynamoDB of the stack under test, in either lane. */
const stackDynamoDb = () => DynamoDBDocumentClient.from(new DynamoDBClient(stackClientConfig('dynamodb')));

/** `roles` (a list of strings) on the user's profile item: pk=USER#<userId>, sk=PROFILE. */
export async function grantRoles(userId: string, roles: string[]): Promise<void> {
  await stackDynamoDb().send(
    new UpdateCommand({
      TableName: `ecommerce-${stage()}-users`,
      Key: { pk: `USER#${userId}`, sk: 'PROFILE' },
      UpdateExpression: 'SET #roles = :roles',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#roles': 'roles' },
      ExpressionAttributeValues: { ':roles': roles },
    }),
  );
}

async function logIn(email: string, password: string): Promise<Session> {
  const login = await api('POST', '/login', { body: { email, password } });
  if (login.status !== 200) throw new Error(`log-in failed: ${login.status} ${login.text}`);
  return { userId: login.body.userId as string, token: login.body.token as string };
}

/** A new user with the role admin in their access token. */
export async function adminSession(tag = 'admin'): Promise<Session> {
  const email = `${tag}-${randomUUID()}@example.com`;
  const pwd = `pw-${randomUUID()}`;
  const created = await api('POST', '/users', { body: { email, name: 'Catalog Admin', pwd } });
  if (created.status !== 201) throw new Error(`sign-up failed: ${created.status} ${created.text}`);
  const { userId } = await logIn(email, pwd);
  await grantRoles(userId, ['admin']);
  // A role reaches a token at the next log-in (tokens are stateless).
  const session = await logIn(email, pwd);
  const roles = decodePart<{ roles?: unknown }>(session.token, 1).roles;
  if (!Array.isArray(roles) || !roles.includes('admin')) {
    throw new Error(
      `the access token issued after the grant carries roles ${JSON.stringify(roles)}, not admin: log-in does not put the stored roles in the token`,
    );
  }
  return session;
}
