import { describe, expect, it } from 'vitest';
import { busEventOf } from './bus-consumer.js';
import { EventContractError, eventDataSchemas, eventSources, parseEvent, type EventType } from './contracts.js';
import { EXAMPLE_TYPES, asSqsRecord, exampleEvent } from './examples/examples.js';

describe('event contract examples', () => {
  it.each(EXAMPLE_TYPES)('%s: the example satisfies its schema, source and detail-type', (type) => {
    const event = exampleEvent(type);
    expect(event.detailType).toBe(type);
    expect(event.source).toBe(eventSources[type]);
    expect(() => parseEvent(type, event.detail)).not.toThrow();
  });

  it.each(EXAMPLE_TYPES)('%s: a consumer reads the example as its queue delivers it', (type) => {
    const consumed = busEventOf(asSqsRecord(exampleEvent(type)), [type]);
    expect(consumed.type).toBe(type);
    expect(consumed.envelope).toEqual(exampleEvent(type).detail);
  });

  it('OrderConfirmed: totalPrice is qty x unitPrice', () => {
    const { data } = exampleEvent('OrderConfirmed').detail;
    expect(data.totalPrice).toBe(data.qty * data.unitPrice);
  });
});

describe('a drifting event is refused', () => {
  const drifts: Array<[string, EventType, (data: Record<string, unknown>) => void]> = [
    ['a renamed field', 'OrderPlaced', (d) => ((d.quantity = d.qty), delete d.qty)],
    ['an extra field', 'OrderPlaced', (d) => (d.unitPrice = 1500)],
    ['a missing field', 'StockReserved', (d) => delete d.unitPrice],
    ['a string for a number', 'StockReserved', (d) => (d.qty = '3')],
    ['a fractional quantity', 'OrderPlaced', (d) => (d.qty = 1.5)],
    ['a quantity above the bound', 'OrderPlaced', (d) => (d.qty = 1001)],
    ['an unknown reason', 'StockRejected', (d) => (d.reason = 'SOLD_OUT')],
    ['a negative price', 'OrderConfirmed', (d) => (d.unitPrice = -1)],
  ];
  it.each(drifts)('%s (%s)', (_name, type, mutate) => {
    const detail = structuredClone(exampleEvent(type).detail) as {
      data: Record<string, unknown>;
    };
    mutate(detail.data);
    expect(() => parseEvent(type, detail)).toThrow(EventContractError);
    expect(() => busEventOf(asSqsRecord({ ...exampleEvent(type), detail } as never), [type])).toThrow(EventContractError);
  });

  it('refuses metadata with another version or a bad time', () => {
    const detail = structuredClone(exampleEvent('OrderPlaced').detail) as {
      metadata: Record<string, unknown>;
    };
    expect(() =>
      parseEvent('OrderPlaced', {
        ...detail,
        metadata: { ...detail.metadata, version: '2' },
      }),
    ).toThrow(EventContractError);
    expect(() =>
      parseEvent('OrderPlaced', {
        ...detail,
        metadata: { ...detail.metadata, occurredAt: 'yesterday' },
      }),
    ).toThrow(EventContractError);
  });

  it('a consumer refuses a detail-type it does not accept, and a body that is not an event', () => {
    expect(() => busEventOf(asSqsRecord(exampleEvent('OrderPlaced')), ['StockReserved', 'StockRejected'])).toThrow(EventContractError);
    expect(() => busEventOf({ messageId: 'm', body: 'not json' }, ['OrderPlaced'])).toThrow(EventContractError);
    expect(() => busEventOf({ messageId: 'm', body: 'null' }, ['OrderPlaced'])).toThrow(EventContractError);
  });

  it('every event type of the saga has an example', () => {
    const sagaTypes = (Object.keys(eventDataSchemas) as EventType[]).filter((type) => type !== 'UserRegistered');
    expect([...EXAMPLE_TYPES].sort()).toEqual(sagaTypes.sort());
  });
});
