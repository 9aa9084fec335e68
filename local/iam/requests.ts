/**
 * Turns a request as the local endpoints receive it into the IAM request contexts AWS would authorize for it: the
 * caller (the SigV4 access key id), and per authorization the action, the resource ARN and the condition keys this
 * file computes (dynamodb:LeadingKeys, events:source, events:detail-type). A request may need several
 * authorizations: a transaction or batch one per item, PutEvents one per entry.
 *
 * Which IAM action each operation needs follows the Service Authorization Reference
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html: BatchGetItem and
 * BatchWriteItem are actions of their own; TransactWriteItems and TransactGetItems need PutItem, UpdateItem,
 * DeleteItem, ConditionCheckItem and GetItem on each item's table), SQS's batch actions need the single action
 * (SendMessageBatch needs sqs:SendMessage), and dynamodb:LeadingKeys is the partition key values an item-level
 * request touches (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html).
 *
 * What this file cannot authorize faithfully (PartiQL, a Query without a partition key equality, a table whose
 * partition key is unknown, an unknown Lambda path) throws UnsupportedRequestError: the enforcer denies it, saying
 * why, rather than guess.
 */
import type { RequestContext } from './policy-evaluator.js';

export type Service = 'dynamodb' | 'sqs' | 'events' | 'lambda';

/** A request as an endpoint's HTTP server receives it; `path` is the request target (path and query string). */
export interface ServiceRequest {
  method?: string;
  path: string;
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  body?: Buffer | string;
}

export class UnsupportedRequestError extends Error {
  override readonly name = 'UnsupportedRequestError';
}

export interface RequestOptions {
  region: string;
  accountId: string;
  partition?: string;
  /**
   * The partition key attribute of a table (or of one of its indexes, for a Query on it), for dynamodb:LeadingKeys;
   * undefined for a table the stack does not know (an item-level request on it is then refused).
   */
  partitionKeyOf: (tableName: string, indexName?: string) => string | undefined;
  /** A queue's ARN from its URL; default: from the URL's `/<account>/<name>` path. */
  queueArnOf?: (queueUrl: string) => string | undefined;
}

export interface ParsedRequest {
  /** The access key id the request was signed with; undefined for an unsigned (anonymous) request. */
  accessKeyId: string | undefined;
  /** The API operation, e.g. `TransactWriteItems`, `SendMessageBatch`, `PutEvents`, `Invoke`. */
  operation: string;
  contexts: RequestContext[];
}

// ---------------------------------------------------------------------------------------------------------------
// Caller

function header(headers: ServiceRequest['headers'], name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== lower || value === undefined) continue;
    return typeof value === 'string' ? value : value.join(',');
  }
  return undefined;
}

function queryOf(path: string): URLSearchParams {
  const index = path.indexOf('?');
  return new URLSearchParams(index < 0 ? '' : path.slice(index + 1));
}

/**
 * The access key id of a SigV4-signed request: `Authorization: AWS4-HMAC-SHA256 Credential=<akid>/<date>/<region>/
 * <service>/aws4_request, ...`, or a presigned URL's `X-Amz-Credential`. The signature is not verified (any secret
 * does locally).
 */
export function accessKeyIdOf(request: Pick<ServiceRequest, 'headers' | 'path'>): string | undefined {
  const authorization = header(request.headers, 'authorization');
  const fromHeader = authorization ? /^AWS4-HMAC-SHA256\s+.*?Credential=([^/,\s]+)\//.exec(authorization)?.[1] : undefined;
  if (fromHeader) return fromHeader;
  return queryOf(request.path).get('X-Amz-Credential')?.split('/')[0] || undefined;
}

function bodyText(request: ServiceRequest): string {
  const body = request.body ?? '';
  return typeof body === 'string' ? body : body.toString('utf8');
}

function jsonBody(request: ServiceRequest): Record<string, any> {
  const text = bodyText(request);
  if (text.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, any>;
  } catch {
    // reported below
  }
  throw new UnsupportedRequestError('the request body is not a JSON object');
}

function targetOf(request: ServiceRequest): { prefix: string; operation: string } | undefined {
  const target = header(request.headers, 'x-amz-target');
  if (!target) return undefined;
  const dot = target.lastIndexOf('.');
  return { prefix: target.slice(0, dot), operation: target.slice(dot + 1) };
}

// ---------------------------------------------------------------------------------------------------------------
// DynamoDB and DynamoDB Streams

type AttributeValue = Record<string, unknown>;

/** A key attribute's value as dynamodb:LeadingKeys carries it: a string or number's text (binary: its base64). */
function keyText(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const attribute = value as AttributeValue;
  for (const type of ['S', 'N', 'B']) if (typeof attribute[type] === 'string') return attribute[type];
  return undefined;
}

function tableNameOf(tableNameOrArn: string): string {
  return tableNameOrArn.startsWith('arn:') ? (/:table\/([^/]+)/.exec(tableNameOrArn)?.[1] ?? tableNameOrArn) : tableNameOrArn;
}

interface DynamoDbItemRequest {
  action: string;
  table: string;
  /** The item's key or the whole item (PutItem), from which the partition key is read. */
  key: unknown;
}

const ITEM_ACTIONS_OF_TRANSACT_WRITE: Record<string, string> = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
};

const PARTIQL = new Set(['ExecuteStatement', 'BatchExecuteStatement', 'ExecuteTransaction']);

/**
 * The equality on the partition key in a Query's KeyConditionExpression (`#pk = :pk`, either way round, inside
 * parentheses or beside `AND begins_with(...)`), or in the legacy KeyConditions.
 */
function queryPartitionValue(body: Record<string, any>, partitionKey: string): string | undefined {
  const names = (body.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (body.ExpressionAttributeValues ?? {}) as Record<string, unknown>;
  if (typeof body.KeyConditionExpression === 'string') {
    const operand = String.raw`[#:]?[A-Za-z0-9_.\-]+`;
    const comparison = new RegExp(String.raw`(${operand})\s*(?<![<>])=\s*(${operand})`, 'g');
    for (const [, left, right] of body.KeyConditionExpression.matchAll(comparison)) {
      for (const [name, value] of [
        [left, right],
        [right, left],
      ] as const) {
        if (!name || !value?.startsWith(':')) continue;
        const attribute = name.startsWith('#') ? names[name] : name;
        if (attribute === partitionKey) return keyText(values[value]);
      }
    }
    return undefined;
  }
  const condition = (body.KeyConditions ?? {})[partitionKey] as { ComparisonOperator?: string; AttributeValueList?: unknown[] } | undefined;
  return condition?.ComparisonOperator === 'EQ' ? keyText(condition.AttributeValueList?.[0]) : undefined;
}

function dynamoDbContexts(operation: string, body: Record<string, any>, options: RequestOptions): Omit<RequestContext, 'principal'>[] {
  const partition = options.partition ?? 'aws';
  const tableArn = (table: string) =>
    table.startsWith('arn:') ? table : `arn:${partition}:dynamodb:${options.region}:${options.accountId}:table/${table}`;
  const partitionKey = (table: string, index?: string) => {
    const name = options.partitionKeyOf(tableNameOf(table), index);
    if (!name) {
      throw new UnsupportedRequestError(
        `the partition key of table ${tableNameOf(table)}${index ? ` (index ${index})` : ''} is unknown, so dynamodb:LeadingKeys cannot be computed`,
      );
    }
    return name;
  };
  const item = ({ action, table, key }: DynamoDbItemRequest) => {
    if (typeof table !== 'string' || table === '') throw new UnsupportedRequestError(`dynamodb:${action} without a TableName`);
    const name = partitionKey(table);
    const value = keyText((key as Record<string, unknown> | undefined)?.[name]);
    if (value === undefined)
      throw new UnsupportedRequestError(`dynamodb:${action} on ${tableNameOf(table)} without its partition key ${name}`);
    return { action: `dynamodb:${action}`, resource: tableArn(table), conditionKeys: { 'dynamodb:LeadingKeys': [value] } };
  };

  if (PARTIQL.has(operation)) {
    throw new UnsupportedRequestError(`the PartiQL operation ${operation} (its tables and keys are not parsed locally)`);
  }
  switch (operation) {
    case 'GetItem':
    case 'DeleteItem':
    case 'UpdateItem':
      return [item({ action: operation, table: body.TableName, key: body.Key })];
    case 'PutItem':
      return [item({ action: operation, table: body.TableName, key: body.Item })];
    case 'TransactWriteItems':
      return ((body.TransactItems ?? []) as Record<string, any>[]).map((entry) => {
        const [kind, request] = Object.entries(entry)[0] ?? [];
        const action = kind === undefined ? undefined : ITEM_ACTIONS_OF_TRANSACT_WRITE[kind];
        if (!action) throw new UnsupportedRequestError(`the TransactWriteItems entry ${JSON.stringify(kind)}`);
        return item({ action, table: request?.TableName, key: kind === 'Put' ? request?.Item : request?.Key });
      });
    case 'TransactGetItems':
      return ((body.TransactItems ?? []) as Record<string, any>[]).map((entry) =>
        item({ action: 'GetItem', table: entry.Get?.TableName, key: entry.Get?.Key }),
      );
    case 'BatchGetItem':
      return Object.entries((body.RequestItems ?? {}) as Record<string, { Keys?: unknown[] }>).flatMap(([table, request]) =>
        (request.Keys ?? []).map((key) => item({ action: 'BatchGetItem', table, key })),
      );
    case 'BatchWriteItem':
      return Object.entries((body.RequestItems ?? {}) as Record<string, Record<string, any>[]>).flatMap(([table, requests]) =>
        requests.map((request) => item({ action: 'BatchWriteItem', table, key: request.PutRequest?.Item ?? request.DeleteRequest?.Key })),
      );
    case 'Query':
    case 'Scan': {
      const table = body.TableName;
      if (typeof table !== 'string' || table === '') throw new UnsupportedRequestError(`dynamodb:${operation} without a TableName`);
      const index = typeof body.IndexName === 'string' ? body.IndexName : undefined;
      const resource = index ? `${tableArn(table)}/index/${index}` : tableArn(table);
      if (operation === 'Scan') return [{ action: 'dynamodb:Scan', resource, conditionKeys: {} }];
      const key = partitionKey(table, index);
      const value = queryPartitionValue(body, key);
      if (value === undefined)
        throw new UnsupportedRequestError(`dynamodb:Query on ${tableNameOf(table)} without an equality on its partition key ${key}`);
      return [{ action: 'dynamodb:Query', resource, conditionKeys: { 'dynamodb:LeadingKeys': [value] } }];
    }
    default: {
      // Table-level operations (DescribeTable, UpdateTimeToLive, ...) name the table; tagging names its ARN;
      // account-level ones (ListTables, DescribeLimits, ...) have no resource: '*'.
      const named =
        typeof body.TableName === 'string' ? tableArn(body.TableName) : typeof body.ResourceArn === 'string' ? body.ResourceArn : '*';
      return [{ action: `dynamodb:${operation}`, resource: named, conditionKeys: {} }];
    }
  }
}

/** DynamoDB Local names its streams' region `ddblocal`: the stream ARN is rewritten to the stack's region and account. */
function localStreamArn(streamArn: string, options: RequestOptions): string {
  const parts = streamArn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') throw new UnsupportedRequestError(`the stream ARN ${JSON.stringify(streamArn)}`);
  return ['arn', options.partition ?? 'aws', 'dynamodb', options.region, options.accountId, ...parts.slice(5)].join(':');
}

function streamsContexts(operation: string, body: Record<string, any>, options: RequestOptions): Omit<RequestContext, 'principal'>[] {
  let resource: string;
  if (typeof body.StreamArn === 'string') resource = localStreamArn(body.StreamArn, options);
  else if (typeof body.ShardIterator === 'string') {
    // A shard iterator starts with its stream's ARN, then `|` (the local and AWS formats alike).
    const arn = body.ShardIterator.split('|')[0] ?? '';
    if (!arn.startsWith('arn:')) throw new UnsupportedRequestError('a shard iterator that does not name its stream');
    resource = localStreamArn(arn, options);
  } else if (typeof body.TableName === 'string') {
    resource = `arn:${options.partition ?? 'aws'}:dynamodb:${options.region}:${options.accountId}:table/${tableNameOf(body.TableName)}/stream/*`;
  } else resource = '*';
  return [{ action: `dynamodb:${operation}`, resource, conditionKeys: {} }];
}

// ---------------------------------------------------------------------------------------------------------------
// SQS

/** The batch actions are authorized as their single actions. */
const SQS_ACTION_OF: Record<string, string> = {
  SendMessageBatch: 'SendMessage',
  DeleteMessageBatch: 'DeleteMessage',
  ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
};

function queueArnFromUrl(queueUrl: string, options: RequestOptions): string | undefined {
  let path: string;
  try {
    path = new URL(queueUrl, 'http://localhost').pathname;
  } catch {
    return undefined;
  }
  const match = /^\/(\d{12})\/([^/]+)\/?$/.exec(path);
  return match
    ? `arn:${options.partition ?? 'aws'}:sqs:${options.region}:${match[1]}:${decodeURIComponent(match[2] as string)}`
    : undefined;
}

function sqsContexts(
  request: ServiceRequest,
  options: RequestOptions,
): { operation: string; contexts: Omit<RequestContext, 'principal'>[] } {
  const target = targetOf(request);
  let operation: string;
  let params: Record<string, unknown>;
  if (target) {
    if (target.prefix !== 'AmazonSQS') throw new UnsupportedRequestError(`the SQS target ${target.prefix}.${target.operation}`);
    operation = target.operation;
    params = jsonBody(request);
  } else {
    // The query protocol: form-encoded Action=...&QueueUrl=..., in the body or the query string.
    const form = new URLSearchParams(bodyText(request));
    for (const [key, value] of queryOf(request.path)) if (!form.has(key)) form.set(key, value);
    operation = form.get('Action') ?? '';
    if (!operation) throw new UnsupportedRequestError('an SQS request with neither X-Amz-Target nor Action');
    params = Object.fromEntries(form);
    // A query-protocol request may be sent to the queue's own URL instead of naming it.
    if (params.QueueUrl === undefined && /^\/\d{12}\/[^/?]+/.test(request.path)) params.QueueUrl = request.path.split('?')[0];
  }
  const action = `sqs:${SQS_ACTION_OF[operation] ?? operation}`;
  let resource: string | undefined;
  if (typeof params.QueueUrl === 'string') {
    resource = options.queueArnOf?.(params.QueueUrl) ?? queueArnFromUrl(params.QueueUrl, options);
    if (!resource) throw new UnsupportedRequestError(`the queue URL ${params.QueueUrl}`);
  } else if (typeof params.QueueName === 'string') {
    const account = typeof params.QueueOwnerAWSAccountId === 'string' ? params.QueueOwnerAWSAccountId : options.accountId;
    resource = `arn:${options.partition ?? 'aws'}:sqs:${options.region}:${account}:${params.QueueName}`;
  } else if (operation === 'ListQueues') resource = '*';
  else throw new UnsupportedRequestError(`sqs:${operation} without a QueueUrl`);
  return { operation, contexts: [{ action, resource, conditionKeys: {} }] };
}

// ---------------------------------------------------------------------------------------------------------------
// EventBridge

function eventsContexts(operation: string, body: Record<string, any>, options: RequestOptions): Omit<RequestContext, 'principal'>[] {
  const partition = options.partition ?? 'aws';
  const busArn = (bus: unknown) => {
    const name = typeof bus === 'string' && bus !== '' ? bus : 'default';
    return name.startsWith('arn:') ? name : `arn:${partition}:events:${options.region}:${options.accountId}:event-bus/${name}`;
  };
  if (operation !== 'PutEvents') return [{ action: `events:${operation}`, resource: '*', conditionKeys: {} }];
  const entries = Array.isArray(body.Entries) && body.Entries.length > 0 ? (body.Entries as Record<string, unknown>[]) : [{}];
  return entries.map((entry) => ({
    action: 'events:PutEvents',
    resource: busArn(entry.EventBusName),
    conditionKeys: {
      ...(typeof entry.Source === 'string' ? { 'events:source': entry.Source } : {}),
      ...(typeof entry.DetailType === 'string' ? { 'events:detail-type': entry.DetailType } : {}),
    },
  }));
}

// ---------------------------------------------------------------------------------------------------------------
// Lambda

/** A function's ARN from the FunctionName of a Lambda path: a name, a full or partial ARN, each with a qualifier or not. */
export function functionArnOf(functionName: string, qualifier: string | undefined, options: RequestOptions): string {
  const partition = options.partition ?? 'aws';
  let region = options.region;
  let account = options.accountId;
  let rest: string;
  const full = /^arn:[^:]+:lambda:([^:]+):(\d{12}):function:(.+)$/.exec(functionName);
  const partial = /^(\d{12}):function:(.+)$/.exec(functionName);
  if (full) {
    region = full[1] as string;
    account = full[2] as string;
    rest = full[3] as string;
  } else if (partial) {
    account = partial[1] as string;
    rest = partial[2] as string;
  } else rest = functionName;
  const [name, pathQualifier] = rest.split(':');
  const finalQualifier = pathQualifier ?? qualifier;
  return `arn:${partition}:lambda:${region}:${account}:function:${name}${finalQualifier ? `:${finalQualifier}` : ''}`;
}

function lambdaContexts(
  request: ServiceRequest,
  options: RequestOptions,
): { operation: string; contexts: Omit<RequestContext, 'principal'>[] } {
  const path = request.path.split('?')[0] ?? '';
  const match = /^\/2015-03-31\/functions\/([^/]+)\/(invocations|invoke-async)\/?$/.exec(path);
  if (!match)
    throw new UnsupportedRequestError(
      `the Lambda request ${[request.method, path].filter(Boolean).join(' ')} (only Invoke is authorized locally)`,
    );
  const qualifier = queryOf(request.path).get('Qualifier') ?? undefined;
  const resource = functionArnOf(decodeURIComponent(match[1] as string), qualifier, options);
  const invoke = match[2] === 'invocations';
  return {
    operation: invoke ? 'Invoke' : 'InvokeAsync',
    contexts: [{ action: invoke ? 'lambda:InvokeFunction' : 'lambda:InvokeAsync', resource, conditionKeys: {} }],
  };
}

// ---------------------------------------------------------------------------------------------------------------

/** The caller and the authorizations a request needs; throws UnsupportedRequestError for what cannot be authorized. */
export function parseRequest(service: Service, request: ServiceRequest, options: RequestOptions): ParsedRequest {
  const accessKeyId = accessKeyIdOf(request);
  const withPrincipal = (operation: string, contexts: Omit<RequestContext, 'principal'>[]): ParsedRequest => ({
    accessKeyId,
    operation,
    contexts: contexts.map((context) => ({ ...(accessKeyId === undefined ? {} : { principal: accessKeyId }), ...context })),
  });
  switch (service) {
    case 'dynamodb': {
      const target = targetOf(request);
      if (target?.prefix === 'DynamoDB_20120810')
        return withPrincipal(target.operation, dynamoDbContexts(target.operation, jsonBody(request), options));
      if (target?.prefix === 'DynamoDBStreams_20120810')
        return withPrincipal(target.operation, streamsContexts(target.operation, jsonBody(request), options));
      throw new UnsupportedRequestError(`the DynamoDB target ${JSON.stringify(header(request.headers, 'x-amz-target') ?? null)}`);
    }
    case 'sqs': {
      const { operation, contexts } = sqsContexts(request, options);
      return withPrincipal(operation, contexts);
    }
    case 'events': {
      const target = targetOf(request);
      if (target?.prefix !== 'AWSEvents')
        throw new UnsupportedRequestError(`the EventBridge target ${JSON.stringify(header(request.headers, 'x-amz-target') ?? null)}`);
      return withPrincipal(target.operation, eventsContexts(target.operation, jsonBody(request), options));
    }
    case 'lambda': {
      const { operation, contexts } = lambdaContexts(request, options);
      return withPrincipal(operation, contexts);
    }
    default:
      throw new UnsupportedRequestError(`the service ${String(service)}`);
  }
}

/** The condition keys parseRequest computes, by service prefix: a policy testing any other key of these services is refused. */
export const COMPUTED_CONDITION_KEYS: Readonly<Record<string, readonly string[]>> = {
  dynamodb: ['dynamodb:LeadingKeys'],
  sqs: [],
  events: ['events:source', 'events:detail-type'],
  lambda: [],
};
