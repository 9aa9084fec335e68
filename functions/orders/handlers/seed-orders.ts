import { logger } from '../../shared/observability.js';
import { orderRepository } from '../order-service-factory.js';

/**
 * Invoked once by the local stack before it starts reading the table's stream (custom.localStack.seedFunctions);
 * idempotent, harmless on AWS. See DynamoDbOrderRepository.ensureMarker for why.
 */
export const handler = async (): Promise<{ markerWritten: boolean }> => {
  const markerWritten = await orderRepository.ensureMarker(new Date().toISOString());
  logger.info('orders table prepared', { markerWritten });
  return { markerWritten };
};
