/**
 * The outbox relay: the orders table's stream -> the bus. Every stored order image is announced with
 * the event of its state (PENDING -> OrderPlaced, CONFIRMED -> OrderConfirmed, REJECTED -> OrderRejected),
 * so an order is announced even if the process that stored it died right after the write. A record
 * whose PutEvents entry still fails after the publisher's retries is reported (partial batch response,
 * itemIdentifier = its SequenceNumber) and the stream hands it again.
 */
import middy from '@middy/core';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { EventBridgePublisher, type EventPublisher } from '../../shared/events/event-publisher.js';
import { logger, metrics } from '../../shared/observability.js';
import { orderOfStreamRecord } from '../adapters/order-stream.js';
import { orderEvent } from '../domain/order-events.js';

export function publishOrderEvents(publisher: EventPublisher) {
  const processor = new BatchProcessor(EventType.DynamoDBStreams);
  const recordHandler = async (record: DynamoDBRecord): Promise<void> => {
    const order = orderOfStreamRecord(record);
    if (!order) return;
    const event = orderEvent(order);
    try {
      await publisher.publish([event]);
    } catch (error) {
      logger.error('could not publish; the stream will hand this record again', {
        sequenceNumber: record.dynamodb?.SequenceNumber,
        orderId: order.orderId,
        detailType: event.detailType,
        correlationId: order.correlationId,
        error: error as Error,
      });
      metrics.addMetric('outboxPublishFailures', 'Count', 1);
      throw error;
    }
    metrics.addMetric(`${event.detailType}Published`, 'Count', 1);
  };
  return async (event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> =>
    processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false });
}

export const handler = middy(publishOrderEvents(new EventBridgePublisher()))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
