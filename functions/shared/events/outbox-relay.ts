/**
 * The one outbox relay (README, "Orders and the stock saga"): a table's stream records -> the event each
 * announces (`eventOf`: a context's own mapping; undefined for records that announce nothing) -> the bus,
 * ten per PutEvents call. Records whose event could not be read or published are reported by
 * SequenceNumber, in stream order: the stream hands them, and what follows them, again.
 */
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { logger, metrics } from '../observability.js';
import type { OutgoingEvent } from './contracts.js';
import type { EventPublisher } from './event-publisher.js';

const ENTRIES_PER_CALL = 10;

export type StreamEventOf = (record: DynamoDBRecord) => OutgoingEvent | undefined | Promise<OutgoingEvent | undefined>;

export function outboxRelay(eventOf: StreamEventOf, publisher: () => EventPublisher) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const failed = new Set<string>();
    const read = await Promise.all(
      event.Records.map(async (record) => {
        const sequenceNumber = sequenceNumberOf(record);
        try {
          const outgoing = await eventOf(record);
          return outgoing && { sequenceNumber, event: outgoing };
        } catch (error) {
          logger.error('stream record could not be read; the stream will hand it again', { sequenceNumber, error: error as Error });
          failed.add(sequenceNumber);
          return undefined;
        }
      }),
    );
    const outgoing = read.filter((item) => item !== undefined);
    const chunks = Array.from({ length: Math.ceil(outgoing.length / ENTRIES_PER_CALL) }, (_, i) =>
      outgoing.slice(i * ENTRIES_PER_CALL, (i + 1) * ENTRIES_PER_CALL),
    );
    await Promise.all(
      chunks.map(async (chunk) => {
        try {
          await publisher().publish(chunk.map((item) => item.event));
          metrics.addMetric('outboxEventsPublished', 'Count', chunk.length);
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
