/**
 * The users context's composition root: one builder per use case, each making (once per function
 * instance, on first use) only what that use case calls. Plain functions, so a handler's bundle keeps
 * only the builders it calls (tree-shaking): the password-hashing addon is in the sign-up and log-in
 * functions only, the signing keys in log-in only, the Lambda client in GET /users/{userId} only.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { tokenConfigFromEnv } from '../shared/auth/access-token-verifier.js';
import { requiredEnv } from '../shared/config.js';
import { dynamoDocumentClient } from '../shared/dynamodb.js';
import { logger } from '../shared/observability.js';
import { CircuitBreakingUserOrders } from './adapters/circuit-breaking-user-orders.js';
import { DynamoDbUserRepository } from './adapters/dynamodb-user-repository.js';
import { signingKeysLoader } from './adapters/key-sources.js';
import { lambdaOrdersSource } from './adapters/lambda-orders-source.js';
import { insertedUserId } from './adapters/user-stream.js';
import { Argon2PasswordHasher } from './auth/password-hasher.js';
import { RsaTokenIssuer } from './auth/token-issuer.js';
import { userRegisteredEvent } from './domain/user-events.js';
import { UserService } from './domain/user-service.js';

let repository: DynamoDbUserRepository | undefined;
export const usersRepository = () => (repository ??= new DynamoDbUserRepository(dynamoDocumentClient(), requiredEnv('USERS_TABLE_NAME')));

let signUp: UserService | undefined;
export const signUpService = () => (signUp ??= new UserService({ users: usersRepository(), passwords: new Argon2PasswordHasher() }));

let login: UserService | undefined;
export const loginService = () =>
  (login ??= new UserService({
    users: usersRepository(),
    passwords: new Argon2PasswordHasher(),
    tokens: new RsaTokenIssuer(signingKeysLoader(requiredEnv('JWT_SIGNING_KEYS_SOURCE')), tokenConfigFromEnv()),
    onRehashFailure: (error) => logger.warn('could not upgrade a password hash', { error: (error as Error).name }),
  }));

let listUsers: UserService | undefined;
export const listUsersService = () => (listUsers ??= new UserService({ users: usersRepository() }));

let userWithOrders: UserService | undefined;
/** GET /users/{userId}: the user, and their orders from the orders context's query function behind a circuit breaker. */
export const userWithOrdersService = () =>
  (userWithOrders ??= new UserService({
    users: usersRepository(),
    orders: new CircuitBreakingUserOrders(lambdaOrdersSource(requiredEnv('ORDERS_QUERY_FUNCTION')), undefined, (state) =>
      logger.warn('orders circuit breaker', { state }),
    ),
  }));

/** The outbox's mapping for the users table's stream (KEYS_ONLY): a new user's insert -> UserRegistered, the user read back. */
export const userRegisteredOf =
  (users: () => Pick<DynamoDbUserRepository, 'getUserItem'> = usersRepository) =>
  async (record: DynamoDBRecord) => {
    const userId = insertedUserId(record);
    if (userId === undefined) return undefined;
    const user = await users().getUserItem(userId);
    if (!user) logger.warn('user from the stream no longer exists; not announced', { userId });
    return user && userRegisteredEvent(user);
  };
