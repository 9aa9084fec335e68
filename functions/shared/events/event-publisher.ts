// Publishes contract events to the stage's bus. Adapter code: the domain hands it OutgoingEvents.
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { requiredEnv } from '../config.js';
import { logger } from '../observability.js';
import type { OutgoingEvent } from './contracts.js';

export interface EventPublisher {
  publish(events: OutgoingEvent[]): Promise<void>;
}

const MAX_ENTRIES_PER_CALL = 10;

/**
 * PutEvents can accept a call and still fail single entries (FailedEntryCount > 0); those are
 * retried with backoff, and if any still fails the publish throws so the caller's retry (the
 * stream or queue redelivery) takes over. Duplicates are fine: consumers are idempotent.
 */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient = new EventBridgeClient({}),
    private readonly busName: string = requiredEnv('EVENT_BUS_NAME'),
    private readonly maxAttempts = 4,
  ) {}

  async publish(events: OutgoingEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += MAX_ENTRIES_PER_CALL) {
      await this.publishChunk(events.slice(i, i + MAX_ENTRIES_PER_CALL).map((event) => this.toEntry(event)));
    }
  }

  private toEntry(event: OutgoingEvent): PutEventsRequestEntry {
    return {
      EventBusName: this.busName,
      Source: event.source,
      DetailType: event.detailType,
      Detail: JSON.stringify(event.detail),
    };
  }

  private async publishChunk(entries: PutEventsRequestEntry[]): Promise<void> {
    let pending = entries;
    for (let attempt = 1; ; attempt++) {
      const result = await this.client.send(new PutEventsCommand({ Entries: pending }));
      if (!result.FailedEntryCount) return;
      const failed = pending.filter((_, index) => result.Entries?.[index]?.ErrorCode);
      const reasons = [...new Set(result.Entries?.map((e) => e.ErrorCode).filter(Boolean))].join(', ');
      if (attempt >= this.maxAttempts) {
        throw new Error(
          `PutEvents failed for ${failed.length} entr${failed.length === 1 ? 'y' : 'ies'} after ${attempt} attempts: ${reasons}`,
        );
      }
      logger.warn('retrying failed PutEvents entries', {
        failed: failed.length,
        reasons,
        attempt,
      });
      pending = failed;
      await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    }
  }
}

let publisher: EventBridgePublisher | undefined;
/** The function instance's publisher, made on first use (a handler's defaulted dependency). */
export const eventPublisher = (): EventPublisher => (publisher ??= new EventBridgePublisher());
