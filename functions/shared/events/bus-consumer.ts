/**
 * The one way to build a queue consumer of bus events: Powertools' batch processor over an SQS batch
 * (partial batch responses: only failed messages return to the queue, and after the queue's
 * maxReceiveCount they move to its DLQ), each message parsed against the event contract.
 */
import { BatchProcessor, EventType as BatchEventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { lambdaHandler, logger, metrics } from '../observability.js';
import { EventContractError, eventSources, parseEvent, type EventEnvelope, type EventType } from './contracts.js';

/** An event from a consumer's queue, narrowed by its detail-type. */
export type ConsumedEvent<T extends EventType> = {
  [K in T]: { type: K; envelope: EventEnvelope<K>; messageId: string; source: string };
}[T];

/** Whether the event comes from the context that owns its detail-type (contracts' `eventSources`). */
const fromItsOwner = (event: { type: EventType; source: string }): boolean => event.source === eventSources[event.type];

/**
 * What EventBridge puts on an SQS target: the whole event, `detail` holding our envelope. Anything
 * that is not one of `accepted`, or breaks its contract, is an EventContractError (the message fails).
 */
export function busEventOf<T extends EventType>(record: Pick<SQSRecord, 'body' | 'messageId'>, accepted: readonly T[]): ConsumedEvent<T> {
  let event: unknown;
  try {
    event = JSON.parse(record.body);
  } catch {
    throw new EventContractError('message body is not JSON');
  }
  const detailType = (event as { 'detail-type'?: unknown } | null)?.['detail-type'];
  const type = accepted.find((candidate) => candidate === detailType);
  if (type === undefined)
    throw new EventContractError(`unexpected detail-type ${JSON.stringify(detailType)} (accepts ${accepted.join(', ')})`);
  const envelope = parseEvent(type, (event as { detail?: unknown }).detail);
  const source = (event as { source?: unknown }).source;
  return { type, envelope, messageId: record.messageId, source: typeof source === 'string' ? source : '' } as ConsumedEvent<T>;
}

export function busEventConsumer<T extends EventType>(
  accepted: readonly T[],
  handle: (event: ConsumedEvent<T>) => Promise<void>,
  options: { processInParallel?: boolean } = {},
) {
  const processor = new BatchProcessor(BatchEventType.SQS);
  const recordHandler = async (record: SQSRecord): Promise<void> => {
    let event: ConsumedEvent<T> | undefined;
    try {
      event = busEventOf(record, accepted);
      // Only the owner of a detail-type may announce it (a bus rule matches on source too, but anyone who
      // can put events on the bus, or send to the queue, could forge one): dropped, never processed or retried.
      if (!fromItsOwner(event)) {
        logger.error('event dropped: its source does not own its detail-type', {
          messageId: record.messageId,
          detailType: event.type,
          source: event.source,
          owner: eventSources[event.type],
          eventId: event.envelope.metadata.eventId,
        });
        metrics.addMetric('eventsFromWrongSource', 'Count', 1);
        return;
      }
      await handle(event);
    } catch (error) {
      const context = {
        messageId: record.messageId,
        receiveCount: record.attributes?.ApproximateReceiveCount,
        detailType: event?.type,
        eventId: event?.envelope.metadata.eventId,
        correlationId: event?.envelope.metadata.correlationId,
        error: error as Error,
      };
      // Contention (e.g. a hot product's item) is not a fault of the message: counted apart, so an alarm
      // on consumerFailures means a message that may be poison, and SQS tries it again after its visibility.
      if ((error as { retryable?: unknown }).retryable === true) {
        logger.warn('message met contention; SQS delivers it again after its visibility timeout', context);
        metrics.addMetric('consumerRetries', 'Count', 1);
      } else {
        logger.error('message failed; it returns to the queue (DLQ after maxReceiveCount)', context);
        metrics.addMetric(error instanceof EventContractError ? 'contractViolations' : 'consumerFailures', 'Count', 1);
      }
      throw error;
    }
  };
  return lambdaHandler(async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
    processPartialResponse(event, recordHandler, processor, {
      context,
      throwOnFullBatchFailure: false,
      processInParallel: options.processInParallel ?? true,
    }),
  );
}
