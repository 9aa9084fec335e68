// Creates the template's tables and queues in the local emulators (idempotent: existing ones are kept), and
// checks a table kept from an earlier start against the template: what can be added safely is added, anything
// else stops the start with what to do (a persisted table would otherwise differ from what the code expects).
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type AttributeDefinition,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  type Projection,
  type TableDescription,
  type TimeToLiveDescription,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { QueueSpec, TableSpec } from './cloudformation.js';

/** CloudFormation table properties -> CreateTable input (dropping what DynamoDB Local ignores or rejects). */
export function createTableInput(table: TableSpec): CreateTableCommandInput {
  const p = table.properties as Record<string, unknown> & { StreamSpecification?: { StreamViewType: string } };
  const input: Record<string, unknown> = {
    TableName: p.TableName,
    KeySchema: p.KeySchema,
    AttributeDefinitions: p.AttributeDefinitions,
    BillingMode: p.BillingMode ?? 'PAY_PER_REQUEST',
  };
  if (p.ProvisionedThroughput) input.ProvisionedThroughput = p.ProvisionedThroughput;
  if (p.GlobalSecondaryIndexes) input.GlobalSecondaryIndexes = p.GlobalSecondaryIndexes;
  if (p.LocalSecondaryIndexes) input.LocalSecondaryIndexes = p.LocalSecondaryIndexes;
  if (p.StreamSpecification) input.StreamSpecification = { StreamEnabled: true, StreamViewType: p.StreamSpecification.StreamViewType };
  if (typeof input.TableName !== 'string') throw new Error(`${table.logicalId}: TableName must be a literal string`);
  return input as unknown as CreateTableCommandInput;
}

/** The template's TTL attribute, when it turns TTL on. */
function wantedTtlAttribute(table: TableSpec): string | undefined {
  const ttl = table.properties.TimeToLiveSpecification as { AttributeName?: string; Enabled?: boolean } | undefined;
  return ttl?.Enabled ? ttl.AttributeName : undefined;
}

/** A table as DynamoDB describes it: DescribeTable and DescribeTimeToLive. */
export interface ExistingTable {
  table: TableDescription;
  timeToLive?: TimeToLiveDescription;
}

/** A difference the start can repair (UpdateTable / UpdateTimeToLive), or one it cannot. */
export type TableDifference =
  | { kind: 'add-index'; description: string; index: GlobalSecondaryIndex; attributeDefinitions: AttributeDefinition[] }
  | { kind: 'enable-ttl'; description: string; attributeName: string }
  | { kind: 'enable-stream'; description: string; streamViewType: string }
  | { kind: 'incompatible'; description: string };

const keysText = (keys: KeySchemaElement[] | undefined, types: Map<string, string>) =>
  (keys ?? []).map((key) => `${key.AttributeName} (${key.KeyType}, ${types.get(key.AttributeName as string) ?? '?'})`).join(', ') || 'none';

const projectionText = (projection: Projection | undefined) => {
  const type = projection?.ProjectionType ?? 'ALL';
  const extra = [...(projection?.NonKeyAttributes ?? [])].sort();
  return extra.length > 0 ? `${type} [${extra.join(', ')}]` : type;
};

interface IndexLike {
  IndexName?: string;
  KeySchema?: KeySchemaElement[];
  Projection?: Projection;
}

/**
 * How a table kept in DynamoDB Local differs from the template's definition of it: key schema, the types of the
 * attributes keys use, global and local secondary indexes (names, keys, projection), the stream (on, view type) and
 * TTL. A global index, TTL or a stream the table lacks can be added in place; anything else cannot (DynamoDB changes
 * no key schema, no local index and no stream view type of an existing table), and an index the template no longer
 * has is reported too rather than dropped with its data.
 */
export function tableDifferences(existing: ExistingTable, wanted: TableSpec): TableDifference[] {
  const input = createTableInput(wanted);
  const table = existing.table;
  const differences: TableDifference[] = [];
  const incompatible = (description: string) => differences.push({ kind: 'incompatible', description });
  const haveTypes = new Map((table.AttributeDefinitions ?? []).map((d) => [d.AttributeName as string, d.AttributeType as string]));
  const wantTypes = new Map((input.AttributeDefinitions ?? []).map((d) => [d.AttributeName as string, d.AttributeType as string]));

  const haveKeys = keysText(table.KeySchema, haveTypes);
  const wantKeys = keysText(input.KeySchema, wantTypes);
  if (haveKeys !== wantKeys) incompatible(`its key schema is ${haveKeys}; the template's is ${wantKeys}`);

  const compareIndexes = (kind: 'global' | 'local', have: IndexLike[], want: IndexLike[]) => {
    const haveByName = new Map(have.map((index) => [index.IndexName as string, index]));
    const wantByName = new Map(want.map((index) => [index.IndexName as string, index]));
    for (const [name, index] of wantByName) {
      const current = haveByName.get(name);
      if (!current) {
        if (kind === 'local') {
          incompatible(`it has no local secondary index ${name} (local indexes are made with the table only)`);
          continue;
        }
        // Its key attributes must not already be typed otherwise in the table.
        const clash = (index.KeySchema ?? [])
          .map((key) => key.AttributeName as string)
          .filter((name) => haveTypes.has(name) && haveTypes.get(name) !== wantTypes.get(name));
        if (clash.length > 0) {
          incompatible(
            `index ${name} is missing, and its key ${clash.map((a) => `${a} is ${haveTypes.get(a)} in the table, ${wantTypes.get(a)} in the template`).join('; ')}`,
          );
          continue;
        }
        const attributeDefinitions = (index.KeySchema ?? []).map((key) => ({
          AttributeName: key.AttributeName as string,
          AttributeType: wantTypes.get(key.AttributeName as string) as AttributeDefinition['AttributeType'],
        }));
        differences.push({
          kind: 'add-index',
          description: `global secondary index ${name} (${keysText(index.KeySchema, wantTypes)}, ${projectionText(index.Projection)}) is missing`,
          index: index as GlobalSecondaryIndex,
          attributeDefinitions,
        });
        continue;
      }
      const haveText = `${keysText(current.KeySchema, haveTypes)}, ${projectionText(current.Projection)}`;
      const wantText = `${keysText(index.KeySchema, wantTypes)}, ${projectionText(index.Projection)}`;
      if (haveText !== wantText) {
        incompatible(`its ${kind} secondary index ${name} is ${haveText}; the template's is ${wantText}`);
      }
    }
    for (const name of haveByName.keys()) {
      if (!wantByName.has(name)) incompatible(`it has a ${kind} secondary index ${name} that the template does not define`);
    }
  };
  compareIndexes('global', table.GlobalSecondaryIndexes ?? [], input.GlobalSecondaryIndexes ?? []);
  compareIndexes('local', table.LocalSecondaryIndexes ?? [], input.LocalSecondaryIndexes ?? []);

  const haveStream = table.StreamSpecification?.StreamEnabled ? table.StreamSpecification.StreamViewType : undefined;
  const wantStream = input.StreamSpecification?.StreamEnabled ? input.StreamSpecification.StreamViewType : undefined;
  if (wantStream && !haveStream) {
    differences.push({ kind: 'enable-stream', description: `its stream (${wantStream}) is off`, streamViewType: wantStream });
  } else if (haveStream !== wantStream) {
    incompatible(`its stream is ${haveStream ?? 'off'}; the template's is ${wantStream ?? 'off'}`);
  }

  const ttlOn = existing.timeToLive?.TimeToLiveStatus === 'ENABLED' || existing.timeToLive?.TimeToLiveStatus === 'ENABLING';
  const haveTtl = ttlOn ? existing.timeToLive?.AttributeName : undefined;
  const wantTtl = wantedTtlAttribute(wanted);
  if (wantTtl && !haveTtl) {
    differences.push({ kind: 'enable-ttl', description: `its TTL (on ${wantTtl}) is off`, attributeName: wantTtl });
  } else if (haveTtl !== wantTtl) {
    incompatible(`its TTL is ${haveTtl ? `on ${haveTtl}` : 'off'}; the template's is ${wantTtl ? `on ${wantTtl}` : 'off'}`);
  }
  return differences;
}

/**
 * A table kept from an earlier start that the template has changed in a way DynamoDB cannot apply in place. Its
 * message names the table, the differences and what to do; `npm start` prints it as it is.
 */
export class TableSchemaDriftError extends Error {
  constructor(
    readonly tableName: string,
    readonly differences: string[],
    dataDir = '.local/',
  ) {
    super(
      `Table ${tableName} in the local DynamoDB data differs from the template: ${differences.join('; ')}. ` +
        "DynamoDB cannot change this in place. Start with `npm start -- --in-memory`, or delete this table's data " +
        `(delete the data directory \`${dataDir}\` or use \`--data-dir\` elsewhere).`,
    );
    this.name = 'TableSchemaDriftError';
  }
}

export interface EnsureTableOptions {
  /** The data directory to name in a drift error's advice (as the user gave it); default `.local/`. */
  dataDir?: string;
}

export type EnsureTableOutcome = 'created' | 'existing' | `migrated (${string})`;

/**
 * Creates the table, or checks the one kept from an earlier start against the template (tableDifferences): adds
 * what is missing and can be added (a global index, waited for until ACTIVE; TTL; the stream), or throws a
 * TableSchemaDriftError before changing anything when something cannot be.
 */
export async function ensureTable(
  dynamodb: DynamoDBClient,
  table: TableSpec,
  options: EnsureTableOptions = {},
): Promise<EnsureTableOutcome> {
  const input = createTableInput(table);
  const tableName = input.TableName as string;
  let existing: TableDescription | undefined;
  try {
    existing = (await dynamodb.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  if (existing) {
    const timeToLive = (await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: tableName }))).TimeToLiveDescription;
    const differences = tableDifferences({ table: existing, ...(timeToLive ? { timeToLive } : {}) }, table);
    const refused = differences.filter((difference) => difference.kind === 'incompatible');
    if (refused.length > 0) {
      throw new TableSchemaDriftError(
        tableName,
        refused.map((difference) => difference.description),
        options.dataDir,
      );
    }
    if (differences.length === 0) return 'existing';
    for (const difference of differences) await migrate(dynamodb, tableName, difference);
    return `migrated (${differences.map(migrationText).join('; ')})`;
  }
  await dynamodb.send(new CreateTableCommand(input));
  await waitUntilTableExists({ client: dynamodb, maxWaitTime: 30 }, { TableName: tableName });
  const ttl = wantedTtlAttribute(table);
  if (ttl) {
    await dynamodb.send(
      new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: ttl, Enabled: true } }),
    );
  }
  return 'created';
}

function migrationText(difference: TableDifference): string {
  switch (difference.kind) {
    case 'add-index':
      return `index ${difference.index.IndexName} added`;
    case 'enable-stream':
      return `stream (${difference.streamViewType}) turned on`;
    case 'enable-ttl':
      return `TTL on ${difference.attributeName} turned on`;
    default:
      return difference.description;
  }
}

async function migrate(dynamodb: DynamoDBClient, tableName: string, difference: TableDifference): Promise<void> {
  switch (difference.kind) {
    case 'add-index': {
      const { IndexName, KeySchema, Projection, ProvisionedThroughput } = difference.index;
      // One index per UpdateTable, as DynamoDB requires; the next waits for this one.
      await dynamodb.send(
        new UpdateTableCommand({
          TableName: tableName,
          AttributeDefinitions: difference.attributeDefinitions,
          GlobalSecondaryIndexUpdates: [
            { Create: { IndexName, KeySchema, Projection, ...(ProvisionedThroughput ? { ProvisionedThroughput } : {}) } },
          ],
        }),
      );
      await waitUntilActive(dynamodb, tableName, IndexName);
      break;
    }
    case 'enable-stream':
      await dynamodb.send(
        new UpdateTableCommand({
          TableName: tableName,
          StreamSpecification: { StreamEnabled: true, StreamViewType: difference.streamViewType as 'NEW_IMAGE' },
        }),
      );
      await waitUntilActive(dynamodb, tableName);
      break;
    case 'enable-ttl':
      await dynamodb.send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: { AttributeName: difference.attributeName, Enabled: true },
        }),
      );
      break;
    case 'incompatible':
      throw new Error(`cannot migrate ${tableName}: ${difference.description}`);
  }
}

/** How long a new index or an updated table may take to become ACTIVE. */
const ACTIVE_TIMEOUT_MS = 60_000;

/** Waits until the table (and, when named, its index) is ACTIVE. */
async function waitUntilActive(dynamodb: DynamoDBClient, tableName: string, indexName?: string): Promise<void> {
  const deadline = Date.now() + ACTIVE_TIMEOUT_MS;
  for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
    const table = (await dynamodb.send(new DescribeTableCommand({ TableName: tableName }))).Table;
    const index = indexName ? table?.GlobalSecondaryIndexes?.find((candidate) => candidate.IndexName === indexName) : undefined;
    if (table?.TableStatus === 'ACTIVE' && (!indexName || index?.IndexStatus === 'ACTIVE')) return;
    if (Date.now() > deadline) {
      throw new Error(
        `${tableName}${indexName ? ` index ${indexName}` : ''} is not ACTIVE after ${ACTIVE_TIMEOUT_MS / 1000} s (table ${table?.TableStatus}, index ${index?.IndexStatus ?? '-'})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/** Creates queues, dead-letter queues first; returns each queue's URL by name. */
export async function ensureQueues(sqs: SQSClient, queues: QueueSpec[], queueArn: (name: string) => string): Promise<Map<string, string>> {
  const urls = new Map<string, string>();
  const ordered = [...queues].sort((a, b) => Number(a.redrive !== undefined) - Number(b.redrive !== undefined));
  for (const queue of ordered) {
    const attributes = { ...queue.attributes };
    if (queue.redrive) {
      attributes.RedrivePolicy = JSON.stringify({
        deadLetterTargetArn: queueArn(queue.redrive.deadLetterQueueName),
        maxReceiveCount: queue.redrive.maxReceiveCount,
      });
    }
    const created = await sqs.send(new CreateQueueCommand({ QueueName: queue.name, Attributes: attributes }));
    urls.set(queue.name, created.QueueUrl as string);
  }
  return urls;
}
