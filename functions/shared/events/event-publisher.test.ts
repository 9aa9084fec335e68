import type { EventBridgeClient, PutEventsCommand, PutEventsResponse } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import { EventBridgePublisher } from './event-publisher.js';
import { exampleEvent } from './examples/examples.js';

/** A stand-in EventBridge client: answers each PutEvents call from a script and records what was sent. */
function scriptedClient(script: Array<(entries: unknown[]) => PutEventsResponse>) {
  const calls: Array<Array<{ DetailType?: string; Detail?: string; EventBusName?: string }>> = [];
  const client = {
    send: async (command: PutEventsCommand) => {
      const entries = command.input.Entries ?? [];
      calls.push(entries);
      const answer = script.shift();
      return answer
        ? answer(entries)
        : {
            FailedEntryCount: 0,
            Entries: entries.map((_, i) => ({ EventId: `e${i}` })),
          };
    },
  } as unknown as EventBridgeClient;
  return { client, calls };
}

describe('EventBridgePublisher', () => {
  it('sends contract events to the bus, ten per call', async () => {
    const { client, calls } = scriptedClient([]);
    const events = Array.from({ length: 12 }, () => exampleEvent('OrderPlaced'));
    await new EventBridgePublisher(client, 'bus-1').publish(events);
    expect(calls.map((c) => c.length)).toEqual([10, 2]);
    expect(calls[0]![0]).toMatchObject({
      EventBusName: 'bus-1',
      DetailType: 'OrderPlaced',
    });
    expect(JSON.parse(calls[0]![0]!.Detail!)).toEqual(exampleEvent('OrderPlaced').detail);
  });

  it('retries only the entries that failed', async () => {
    const { client, calls } = scriptedClient([
      (entries) => ({
        FailedEntryCount: 1,
        Entries: entries.map((_, i) => (i === 1 ? { ErrorCode: 'InternalFailure' } : { EventId: 'ok' })),
      }),
    ]);
    await new EventBridgePublisher(client, 'bus-1').publish([exampleEvent('StockReserved'), exampleEvent('StockRejected')]);
    expect(calls.map((c) => c.map((e) => e.DetailType))).toEqual([['StockReserved', 'StockRejected'], ['StockRejected']]);
  });

  it("throws when an entry still fails after its attempts, so the caller's redelivery takes over", async () => {
    const failing = (entries: unknown[]) => ({
      FailedEntryCount: entries.length,
      Entries: entries.map(() => ({ ErrorCode: 'ThrottlingException' })),
    });
    const { client, calls } = scriptedClient([failing, failing]);
    await expect(new EventBridgePublisher(client, 'bus-1', 2).publish([exampleEvent('OrderPlaced')])).rejects.toThrow(/after 2 attempts/);
    expect(calls).toHaveLength(2);
  });
});
