/**
 * The outbox relay: the orders table's stream -> the bus. Every stored order image is announced with
 * the event of its state (PENDING -> OrderPlaced, CONFIRMED -> OrderConfirmed, REJECTED -> OrderRejected),
 * so an order is announced even if the process that stored it died right after the write.
 * Events go out ten per PutEvents call (the publisher retries the entries that fail); a record whose
 * event still could not be published is reported by its SequenceNumber (a partial batch response),
 * and the stream hands it, and what follows it, again. Repeats are harmless: consumers are idempotent.
 */
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { OutgoingEvent } from '../../shared/events/contracts.js';
import { EventBridgePublisher, type EventPublisher } from '../../shared/events/event-publisher.js';
import { lambdaHandler, logger, metrics } from '../../shared/observability.js';
import { orderOfStreamRecord } from '../adapters/order-stream.js';
import { orderEvent } from '../domain/order-events.js';

const ENTRIES_PER_CALL = 10;

export function publishOrderEvents(publisher: EventPublisher) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const failed = new Set<string>();
    const outgoing: Array<{ sequenceNumber: string; event: OutgoingEvent }> = [];
    for (const record of event.Records) {
      const sequenceNumber = sequenceNumberOf(record);
      try {
        const order = orderOfStreamRecord(record);
        if (order) outgoing.push({ sequenceNumber, event: orderEvent(order) });
      } catch (error) {
        logger.error('stream record is not a readable order', {
          sequenceNumber,
          error: error as Error,
        });
        failed.add(sequenceNumber);
      }
    }
    const chunks = Array.from({ length: Math.ceil(outgoing.length / ENTRIES_PER_CALL) }, (_, i) =>
      outgoing.slice(i * ENTRIES_PER_CALL, (i + 1) * ENTRIES_PER_CALL),
    );
    await Promise.all(
      chunks.map(async (chunk) => {
        try {
          await publisher.publish(chunk.map((item) => item.event));
          for (const { event: published } of chunk) metrics.addMetric(`${published.detailType}Published`, 'Count', 1);
        } catch (error) {
          logger.error('could not publish; the stream will hand these records again', {
            sequenceNumbers: chunk.map((item) => item.sequenceNumber),
            error: error as Error,
          });
          metrics.addMetric('outboxPublishFailures', 'Count', chunk.length);
          for (const item of chunk) failed.add(item.sequenceNumber);
        }
      }),
    );
    // In stream order: the stream retries from the first reported record.
    const batchItemFailures = event.Records.map(sequenceNumberOf)
      .filter((sequenceNumber) => failed.has(sequenceNumber))
      .map((itemIdentifier) => ({ itemIdentifier }));
    return { batchItemFailures };
  };
}

function sequenceNumberOf(record: DynamoDBRecord): string {
  return record.dynamodb?.SequenceNumber ?? '';
}

export const handler = lambdaHandler(publishOrderEvents(new EventBridgePublisher()));
