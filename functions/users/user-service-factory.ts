// Composition root of the users context: wires the domain service to its adapters once per instance.
import { requiredEnv } from '../shared/config.js';
import { dynamoDocumentClient } from '../shared/dynamodb.js';
import { logger } from '../shared/observability.js';
import { DynamoDbUserRepository } from './adapters/dynamodb-user-repository.js';
import { signingKeysLoader } from './adapters/key-sources.js';
import { ScryptPasswordHasher } from './auth/password-hasher.js';
import { RsaTokenIssuer, type TokenIssuer } from './auth/token-issuer.js';
import { tokenConfigFromEnv } from './auth-config.js';
import { CircuitBreakingUserOrders } from './adapters/circuit-breaking-user-orders.js';
import { lambdaOrdersSource } from './adapters/lambda-orders-source.js';
import { noUserOrders, type UserOrders } from './domain/user.js';
import { UserService } from './domain/user-service.js';

let issuer: RsaTokenIssuer | undefined;
/** Built on first use: only the log-in function has (and may read) the signing keys. */
const tokenIssuer: TokenIssuer = {
  issue: (userId) => {
    issuer ??= new RsaTokenIssuer(signingKeysLoader(requiredEnv('JWT_SIGNING_KEYS_SOURCE')), tokenConfigFromEnv());
    return issuer.issue(userId);
  },
};

/** Only GET /users/{userId} is given the orders query; every other users function has no use for it. */
const ordersQuery = process.env.ORDERS_QUERY_FUNCTION;
const userOrders: UserOrders = ordersQuery
  ? new CircuitBreakingUserOrders(lambdaOrdersSource(ordersQuery), undefined, (state) => logger.warn('orders circuit breaker', { state }))
  : noUserOrders;

export const userService = new UserService(
  new DynamoDbUserRepository(dynamoDocumentClient(), requiredEnv('USERS_TABLE_NAME')),
  new ScryptPasswordHasher(),
  tokenIssuer,
  userOrders,
  () => new Date(),
  (error) => logger.warn('could not upgrade a password hash', { error: (error as Error).name }),
);
