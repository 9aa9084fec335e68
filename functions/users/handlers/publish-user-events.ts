// The outbox relay (users table stream -> UserRegistered on the bus): see adapters/user-registered-relay.ts.
import { requiredEnv } from '../../shared/config.js';
import { dynamoDocumentClient } from '../../shared/dynamodb.js';
import { EventBridgePublisher } from '../../shared/events/event-publisher.js';
import { DynamoDbUserRepository } from '../adapters/dynamodb-user-repository.js';
import { userRegisteredRelay } from '../adapters/user-registered-relay.js';

const repository = new DynamoDbUserRepository(dynamoDocumentClient(), requiredEnv('USERS_TABLE_NAME'));

export const handler = userRegisteredRelay((userId) => repository.getUserItem(userId), new EventBridgePublisher());
