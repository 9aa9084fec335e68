import type {
  AttributeDefinition,
  GlobalSecondaryIndex,
  KeySchemaElement,
  LocalSecondaryIndex,
  StreamViewType,
  TableDescription,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import type { TableSpec } from './cloudformation.js';
import { TableSchemaDriftError, tableDifferences, type ExistingTable } from './provision.js';

/** The orders table as the template defines it (resources/orders.yml, trimmed to what is compared). */
const orders = (): TableSpec => ({
  logicalId: 'OrdersTable',
  properties: {
    TableName: 'shop-test-orders',
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'gsi1pk', AttributeType: 'S' },
      { AttributeName: 'gsi1sk', AttributeType: 'S' },
      { AttributeName: 'sweepShard', AttributeType: 'S' },
      { AttributeName: 'sweepAt', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: 'UserOrdersIndex',
        KeySchema: [
          { AttributeName: 'gsi1pk', KeyType: 'HASH' },
          { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
      {
        IndexName: 'SweepIndex',
        KeySchema: [
          { AttributeName: 'sweepShard', KeyType: 'HASH' },
          { AttributeName: 'sweepAt', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['userId', 'status'] },
      },
    ],
    StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
    TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
  },
});

/**
 * The table as DynamoDB (Local) describes one made from `spec`: only the attributes keys use, the indexes with
 * their status and counters, the stream and TTL as DescribeTable and DescribeTimeToLive put them.
 */
function described(spec: TableSpec): ExistingTable {
  const p = spec.properties as {
    TableName: string;
    AttributeDefinitions: AttributeDefinition[];
    KeySchema: KeySchemaElement[];
    GlobalSecondaryIndexes?: GlobalSecondaryIndex[];
    LocalSecondaryIndexes?: LocalSecondaryIndex[];
    StreamSpecification?: { StreamViewType: StreamViewType };
    TimeToLiveSpecification?: { AttributeName: string; Enabled: boolean };
  };
  const gsis = p.GlobalSecondaryIndexes ?? [];
  const lsis = p.LocalSecondaryIndexes ?? [];
  const used = new Set(
    [p.KeySchema, ...gsis.map((i) => i.KeySchema), ...lsis.map((i) => i.KeySchema)].flatMap((keys) =>
      (keys ?? []).map((k) => k.AttributeName),
    ),
  );
  const stream = p.StreamSpecification;
  const ttl = p.TimeToLiveSpecification;
  const table: TableDescription = {
    TableName: p.TableName,
    TableStatus: 'ACTIVE',
    ItemCount: 3,
    ProvisionedThroughput: { ReadCapacityUnits: 0, WriteCapacityUnits: 0, NumberOfDecreasesToday: 0 },
    BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
    AttributeDefinitions: p.AttributeDefinitions.filter((d) => used.has(d.AttributeName)),
    KeySchema: p.KeySchema,
    ...(gsis.length > 0
      ? { GlobalSecondaryIndexes: gsis.map((index) => ({ ...index, IndexStatus: 'ACTIVE', ItemCount: 1, IndexSizeBytes: 10 })) }
      : {}),
    ...(lsis.length > 0 ? { LocalSecondaryIndexes: lsis.map((index) => ({ ...index, ItemCount: 0 })) } : {}),
    ...(stream
      ? {
          StreamSpecification: { StreamEnabled: true, StreamViewType: stream.StreamViewType },
          LatestStreamArn: 'arn:aws:dynamodb:ddblocal:000000000000:table/shop-test-orders/stream/2026-01-01T00:00:00.000',
        }
      : {}),
  };
  return {
    table,
    timeToLive: ttl?.Enabled ? { TimeToLiveStatus: 'ENABLED', AttributeName: ttl.AttributeName } : { TimeToLiveStatus: 'DISABLED' },
  };
}

/** The template's table with `edit` applied: an older (or newer) definition of it. */
function variant(edit: (p: Record<string, unknown>) => void): TableSpec {
  const spec = structuredClone(orders());
  edit(spec.properties);
  return spec;
}

const gsi = (p: Record<string, unknown>, name: string) =>
  (p.GlobalSecondaryIndexes as Array<Record<string, unknown>>).find((index) => index.IndexName === name) as Record<string, unknown>;
const withoutIndex = (name: string) => (p: Record<string, unknown>) => {
  p.GlobalSecondaryIndexes = (p.GlobalSecondaryIndexes as Array<{ IndexName: string }>).filter((index) => index.IndexName !== name);
};
const descriptions = (differences: ReturnType<typeof tableDifferences>) => differences.map((d) => `${d.kind}: ${d.description}`);

describe('tableDifferences (a kept table against the template)', () => {
  it('finds none when the table is what the template defines', () => {
    expect(tableDifferences(described(orders()), orders())).toEqual([]);
  });

  it('adds a global index the table lacks, with the definitions of its key attributes', () => {
    const older = variant(withoutIndex('SweepIndex'));
    expect(tableDifferences(described(older), orders())).toEqual([
      {
        kind: 'add-index',
        description: 'global secondary index SweepIndex (sweepShard (HASH, S), sweepAt (RANGE, S), INCLUDE [status, userId]) is missing',
        index: gsi(orders().properties, 'SweepIndex'),
        attributeDefinitions: [
          { AttributeName: 'sweepShard', AttributeType: 'S' },
          { AttributeName: 'sweepAt', AttributeType: 'S' },
        ],
      },
    ]);
  });

  it('turns on TTL and the stream where the table has them off', () => {
    const older = variant((p) => {
      delete p.TimeToLiveSpecification;
      delete p.StreamSpecification;
    });
    expect(tableDifferences(described(older), orders())).toEqual([
      { kind: 'enable-stream', description: 'its stream (NEW_IMAGE) is off', streamViewType: 'NEW_IMAGE' },
      { kind: 'enable-ttl', description: 'its TTL (on expiresAt) is off', attributeName: 'expiresAt' },
    ]);
  });

  it('refuses a different key schema, naming both', () => {
    const older = variant((p) => {
      p.KeySchema = [{ AttributeName: 'pk', KeyType: 'HASH' }];
    });
    expect(descriptions(tableDifferences(described(older), orders()))).toEqual([
      "incompatible: its key schema is pk (HASH, S); the template's is pk (HASH, S), sk (RANGE, S)",
    ]);
  });

  it('refuses a key attribute of another type', () => {
    const older = variant((p) => {
      p.AttributeDefinitions = (p.AttributeDefinitions as Array<{ AttributeName: string }>).map((d) =>
        d.AttributeName === 'pk' ? { AttributeName: 'pk', AttributeType: 'N' } : d,
      );
    });
    expect(descriptions(tableDifferences(described(older), orders()))).toEqual([
      "incompatible: its key schema is pk (HASH, N), sk (RANGE, S); the template's is pk (HASH, S), sk (RANGE, S)",
    ]);
  });

  it('refuses a global index with other keys or another projection', () => {
    const otherKeys = variant((p) => {
      gsi(p, 'UserOrdersIndex').KeySchema = [{ AttributeName: 'gsi1pk', KeyType: 'HASH' }];
    });
    expect(descriptions(tableDifferences(described(otherKeys), orders()))).toEqual([
      "incompatible: its global secondary index UserOrdersIndex is gsi1pk (HASH, S), ALL; the template's is gsi1pk (HASH, S), gsi1sk (RANGE, S), ALL",
    ]);
    const otherProjection = variant((p) => {
      gsi(p, 'SweepIndex').Projection = { ProjectionType: 'KEYS_ONLY' };
    });
    expect(descriptions(tableDifferences(described(otherProjection), orders()))).toEqual([
      "incompatible: its global secondary index SweepIndex is sweepShard (HASH, S), sweepAt (RANGE, S), KEYS_ONLY; the template's is sweepShard (HASH, S), sweepAt (RANGE, S), INCLUDE [status, userId]",
    ]);
  });

  it('refuses a global index the template no longer defines, rather than dropping it', () => {
    const newer = variant((p) => {
      (p.AttributeDefinitions as unknown[]).push({ AttributeName: 'email', AttributeType: 'S' });
      (p.GlobalSecondaryIndexes as unknown[]).push({
        IndexName: 'ByEmail',
        KeySchema: [{ AttributeName: 'email', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      });
    });
    expect(descriptions(tableDifferences(described(newer), orders()))).toEqual([
      'incompatible: it has a global secondary index ByEmail that the template does not define',
    ]);
  });

  it('refuses a missing global index whose key the table already types otherwise', () => {
    const older = variant((p) => {
      withoutIndex('SweepIndex')(p);
      // An older index kept sweepAt as a number.
      (p.GlobalSecondaryIndexes as unknown[]).push({
        IndexName: 'OldSweep',
        KeySchema: [{ AttributeName: 'sweepAt', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      });
      p.AttributeDefinitions = (p.AttributeDefinitions as Array<{ AttributeName: string }>).map((d) =>
        d.AttributeName === 'sweepAt' ? { AttributeName: 'sweepAt', AttributeType: 'N' } : d,
      );
    });
    expect(descriptions(tableDifferences(described(older), orders()))).toEqual([
      'incompatible: index SweepIndex is missing, and its key sweepAt is N in the table, S in the template',
      'incompatible: it has a global secondary index OldSweep that the template does not define',
    ]);
  });

  it('refuses local index differences: they are made with the table only', () => {
    const withLocal = variant((p) => {
      (p.AttributeDefinitions as unknown[]).push({ AttributeName: 'createdAt', AttributeType: 'S' });
      p.LocalSecondaryIndexes = [
        {
          IndexName: 'ByCreatedAt',
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'createdAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ];
    });
    expect(tableDifferences(described(withLocal), withLocal)).toEqual([]);
    expect(descriptions(tableDifferences(described(orders()), withLocal))).toEqual([
      'incompatible: it has no local secondary index ByCreatedAt (local indexes are made with the table only)',
    ]);
    expect(descriptions(tableDifferences(described(withLocal), orders()))).toEqual([
      'incompatible: it has a local secondary index ByCreatedAt that the template does not define',
    ]);
  });

  it('refuses a stream of another view type, or one the template does not have', () => {
    const keysOnly = variant((p) => {
      p.StreamSpecification = { StreamViewType: 'KEYS_ONLY' };
    });
    expect(descriptions(tableDifferences(described(keysOnly), orders()))).toEqual([
      "incompatible: its stream is KEYS_ONLY; the template's is NEW_IMAGE",
    ]);
    const noStream = variant((p) => {
      delete p.StreamSpecification;
    });
    expect(descriptions(tableDifferences(described(orders()), noStream))).toEqual([
      "incompatible: its stream is NEW_IMAGE; the template's is off",
    ]);
  });

  it('refuses TTL on another attribute, or TTL the template does not have', () => {
    const otherTtl = variant((p) => {
      p.TimeToLiveSpecification = { AttributeName: 'ttl', Enabled: true };
    });
    expect(descriptions(tableDifferences(described(otherTtl), orders()))).toEqual([
      "incompatible: its TTL is on ttl; the template's is on expiresAt",
    ]);
    const noTtl = variant((p) => {
      p.TimeToLiveSpecification = { AttributeName: 'expiresAt', Enabled: false };
    });
    expect(descriptions(tableDifferences(described(orders()), noTtl))).toEqual([
      "incompatible: its TTL is on expiresAt; the template's is off",
    ]);
  });
});

describe('TableSchemaDriftError', () => {
  it('names the table, the differences and what to do', () => {
    const error = new TableSchemaDriftError('shop-test-orders', ["its stream is KEYS_ONLY; the template's is NEW_IMAGE"], '/tmp/data');
    expect(error.message).toBe(
      "Table shop-test-orders in the local DynamoDB data differs from the template: its stream is KEYS_ONLY; the template's is NEW_IMAGE. " +
        "DynamoDB cannot change this in place. Start with `npm start -- --in-memory`, or delete this table's data " +
        '(delete the data directory `/tmp/data` or use `--data-dir` elsewhere).',
    );
  });
});
