/**
 * Reads the CloudFormation template that `serverless package` compiles (the one AWS deploys) and
 * extracts what the local stack has to be: tables, queues, bus rules, schedules and event source mappings.
 * One source of truth: nothing here lists resources by hand.
 */
import { readFile } from 'node:fs/promises';

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
}
export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
}

export interface TableSpec {
  logicalId: string;
  properties: Record<string, unknown>;
}
export interface QueueSpec {
  logicalId: string;
  name: string;
  attributes: Record<string, string>;
  redrive?: { deadLetterQueueName: string; maxReceiveCount: number };
}
export interface RuleTarget {
  id: string;
  queueName: string;
}
export interface RuleSpec {
  logicalId: string;
  eventBusName: string;
  eventPattern: unknown;
  targets: RuleTarget[];
  enabled: boolean;
}
export interface ScheduleTarget {
  id: string;
  functionName: string;
  /** The target's Input (a JSON string); absent, the service sends its own scheduled event. */
  input?: string;
}
/** A scheduled EventBridge rule (service 'events') or an EventBridge Scheduler schedule ('scheduler'). */
export interface ScheduleSpec {
  logicalId: string;
  service: 'events' | 'scheduler';
  /** The rule's or schedule's name (its Name, else the logical id) and, for Scheduler, its group: they make its ARN. */
  name: string;
  groupName?: string;
  expression: string;
  /** IANA zone of cron() and at(): Scheduler's ScheduleExpressionTimezone; rules always run in UTC. */
  timezone: string;
  enabled: boolean;
  targets: ScheduleTarget[];
}
export interface EventSourceMappingSpec {
  logicalId: string;
  functionName: string;
  source: { kind: 'sqs'; queueName: string } | { kind: 'dynamodb-stream'; tableName: string };
  batchSize: number;
  reportBatchItemFailures: boolean;
  maximumBatchingWindowInSeconds: number;
  /** SQS only: ScalingConfig.MaximumConcurrency, when the template sets it (batches in flight at once). */
  maximumConcurrency?: number;
  /** Streams only: where a new reader starts, and how often a failing batch is retried (-1: until it expires). */
  startingPosition: 'LATEST' | 'TRIM_HORIZON';
  maximumRetryAttempts: number;
  /** Streams only: ParallelizationFactor (batches of one shard in flight at once; 1 when the template sets none). */
  parallelizationFactor: number;
  /** Streams only: BisectBatchOnFunctionError (a failing batch is halved until the failing record is alone). */
  bisectBatchOnFunctionError: boolean;
  /**
   * Streams only: the SQS queue of DestinationConfig.OnFailure.Destination, where a discarded batch's invocation
   * record goes (the local stack has no SNS, so an SNS topic or any other destination is refused).
   */
  onFailureQueueName?: string;
  enabled: boolean;
}
export interface LocalStackModel {
  tables: TableSpec[];
  queues: QueueSpec[];
  eventBuses: string[];
  rules: RuleSpec[];
  schedules: ScheduleSpec[];
  eventSourceMappings: EventSourceMappingSpec[];
}

export async function loadTemplate(path: string): Promise<CfnTemplate> {
  return JSON.parse(await readFile(path, 'utf8')) as CfnTemplate;
}

type Intrinsic = { Ref?: string; 'Fn::GetAtt'?: [string, string] | string };

function resourceOf(template: CfnTemplate, logicalId: string, type: string): CfnResource {
  const resource = template.Resources[logicalId];
  if (!resource || resource.Type !== type) {
    throw new Error(`Template references ${logicalId} as ${type}, but it is ${resource?.Type ?? 'missing'}`);
  }
  return resource;
}

/** The logical id behind `{Ref: X}` or `{"Fn::GetAtt": [X, attr]}`; undefined for a literal. */
export function referencedLogicalId(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const intrinsic = value as Intrinsic;
  if (typeof intrinsic.Ref === 'string') return intrinsic.Ref;
  const getAtt = intrinsic['Fn::GetAtt'];
  if (Array.isArray(getAtt)) return getAtt[0];
  if (typeof getAtt === 'string') return getAtt.split('.')[0];
  return undefined;
}

function literalString(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new Error(`${what} must be a literal string in the template, got ${JSON.stringify(value)}`);
  return value;
}

function queueName(template: CfnTemplate, logicalId: string): string {
  return literalString(resourceOf(template, logicalId, 'AWS::SQS::Queue').Properties?.QueueName, `${logicalId}.QueueName`);
}

/** Resolves a queue reference (GetAtt Arn, Ref, or a literal ARN) to its queue name. */
function queueNameOf(template: CfnTemplate, value: unknown): string {
  const logicalId = referencedLogicalId(value);
  if (logicalId) return queueName(template, logicalId);
  return literalString(value, 'queue ARN').split(':').pop() as string;
}

function busNameOf(template: CfnTemplate, value: unknown): string {
  if (value === undefined) return 'default';
  const logicalId = referencedLogicalId(value);
  if (logicalId) {
    return literalString(resourceOf(template, logicalId, 'AWS::Events::EventBus').Properties?.Name, `${logicalId}.Name`);
  }
  return literalString(value, 'EventBusName').split('/').pop() as string;
}

function functionNameOf(template: CfnTemplate, value: unknown): string {
  const logicalId = referencedLogicalId(value);
  if (!logicalId) return literalString(value, 'FunctionName').split(':').pop() as string;
  return literalString(resourceOf(template, logicalId, 'AWS::Lambda::Function').Properties?.FunctionName, `${logicalId}.FunctionName`);
}

/** A schedule target's function; anything else is refused, since the local scheduler only invokes functions. */
function targetFunctionNameOf(template: CfnTemplate, value: unknown, what: string): string {
  const logicalId = referencedLogicalId(value);
  if (logicalId) {
    const type = template.Resources[logicalId]?.Type ?? 'missing';
    if (type !== 'AWS::Lambda::Function') {
      throw new Error(`${what} is ${logicalId} (${type}); the local scheduler invokes Lambda functions only`);
    }
    return functionNameOf(template, value);
  }
  const arn = literalString(value, `${what} Arn`);
  const name = /^arn:aws[a-z-]*:lambda:[^:]+:\d{12}:function:([^:]+)$/.exec(arn)?.[1];
  if (!name) throw new Error(`${what} is ${arn}, not an unqualified Lambda function ARN; the local scheduler invokes functions only`);
  return name;
}

/** The target's Input as written; it reaches Lambda as its event, so it has to be JSON. */
function jsonInput(value: unknown, what: string): string | undefined {
  if (value === undefined) return undefined;
  const input = literalString(value, `${what} Input`);
  try {
    JSON.parse(input);
  } catch {
    throw new Error(`${what} Input is not JSON: ${input}`);
  }
  return input;
}

function scheduledRule(template: CfnTemplate, logicalId: string, props: Record<string, unknown>): ScheduleSpec {
  if (busNameOf(template, props.EventBusName) !== 'default') {
    throw new Error(`${logicalId}: AWS runs scheduled rules on the default bus only`);
  }
  const targets = (props.Targets as Record<string, unknown>[] | undefined) ?? [];
  return {
    logicalId,
    service: 'events',
    name: props.Name === undefined ? logicalId : literalString(props.Name, `${logicalId}.Name`),
    expression: literalString(props.ScheduleExpression, `${logicalId}.ScheduleExpression`),
    timezone: 'UTC',
    enabled: props.State === undefined || props.State === 'ENABLED',
    targets: targets.map((target) => {
      const what = `${logicalId}: target ${String(target.Id)}`;
      if (target.InputPath !== undefined || target.InputTransformer !== undefined) {
        throw new Error(`${what} uses InputPath/InputTransformer, which the local scheduler does not emulate`);
      }
      const input = jsonInput(target.Input, what);
      return {
        id: String(target.Id),
        functionName: targetFunctionNameOf(template, target.Arn, what),
        ...(input === undefined ? {} : { input }),
      };
    }),
  };
}

/**
 * FlexibleTimeWindow is ignored: it only lets AWS fire up to that much later, and firing on time is inside the window.
 * So are the target's RetryPolicy and DeadLetterConfig (a failed invocation is logged, not retried). StartDate and
 * EndDate are refused rather than ignored, since they change when the schedule fires.
 */
function schedulerSchedule(template: CfnTemplate, logicalId: string, props: Record<string, unknown>): ScheduleSpec {
  for (const unsupported of ['StartDate', 'EndDate']) {
    if (props[unsupported] !== undefined) throw new Error(`${logicalId}: ${unsupported} is not emulated by the local scheduler`);
  }
  const target = (props.Target ?? {}) as Record<string, unknown>;
  const what = `${logicalId}: Target`;
  const input = jsonInput(target.Input, what);
  return {
    logicalId,
    service: 'scheduler',
    name: props.Name === undefined ? logicalId : literalString(props.Name, `${logicalId}.Name`),
    groupName: props.GroupName === undefined ? 'default' : literalString(props.GroupName, `${logicalId}.GroupName`),
    expression: literalString(props.ScheduleExpression, `${logicalId}.ScheduleExpression`),
    timezone:
      props.ScheduleExpressionTimezone === undefined
        ? 'UTC'
        : literalString(props.ScheduleExpressionTimezone, `${logicalId}.ScheduleExpressionTimezone`),
    enabled: props.State === undefined || props.State === 'ENABLED',
    targets: [{ id: 'Target', functionName: targetFunctionNameOf(template, target.Arn, what), ...(input === undefined ? {} : { input }) }],
  };
}

/**
 * DestinationConfig.OnFailure.Destination of a stream mapping: the queue's name, from a reference to a queue of
 * the template or an SQS queue ARN. Lambda takes SNS topics too (and S3 buckets for Kafka); the local stack has
 * neither, so they are refused rather than silently dropped.
 */
function onFailureQueueNameOf(template: CfnTemplate, logicalId: string, props: Record<string, unknown>): string | undefined {
  const destination = (props.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined)?.OnFailure?.Destination;
  if (destination === undefined) return undefined;
  const what = `${logicalId}: DestinationConfig.OnFailure.Destination`;
  const referenced = referencedLogicalId(destination);
  if (referenced) {
    const type = template.Resources[referenced]?.Type ?? 'missing';
    if (type !== 'AWS::SQS::Queue')
      throw new Error(`${what} is ${referenced} (${type}); the local stack sends on-failure records to SQS queues only`);
    return queueName(template, referenced);
  }
  const arn = literalString(destination, what);
  const name = /^arn:aws[a-z-]*:sqs:[^:]*:\d{12}:([^:]+)$/.exec(arn)?.[1];
  if (!name) throw new Error(`${what} is ${arn}, not an SQS queue ARN; the local stack sends on-failure records to SQS queues only`);
  return name;
}

const QUEUE_ATTRIBUTES = [
  'VisibilityTimeout',
  'MessageRetentionPeriod',
  'DelaySeconds',
  'ReceiveMessageWaitTimeSeconds',
  'MaximumMessageSize',
];

export function localStackModel(template: CfnTemplate): LocalStackModel {
  const model: LocalStackModel = { tables: [], queues: [], eventBuses: [], rules: [], schedules: [], eventSourceMappings: [] };
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const props = resource.Properties ?? {};
    switch (resource.Type) {
      case 'AWS::DynamoDB::Table':
        model.tables.push({ logicalId, properties: props });
        break;
      case 'AWS::SQS::Queue': {
        const attributes: Record<string, string> = {};
        for (const name of QUEUE_ATTRIBUTES) if (props[name] !== undefined) attributes[name] = String(props[name] as string | number);
        const redrive = props.RedrivePolicy as { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown } | undefined;
        model.queues.push({
          logicalId,
          name: queueName(template, logicalId),
          attributes,
          ...(redrive
            ? {
                redrive: {
                  deadLetterQueueName: queueNameOf(template, redrive.deadLetterTargetArn),
                  maxReceiveCount: Number(redrive.maxReceiveCount ?? 10),
                },
              }
            : {}),
        });
        break;
      }
      case 'AWS::Events::EventBus':
        model.eventBuses.push(literalString(props.Name, `${logicalId}.Name`));
        break;
      case 'AWS::Events::Rule': {
        if (props.ScheduleExpression !== undefined) {
          if (props.EventPattern !== undefined) {
            throw new Error(`${logicalId}: a rule with both a schedule and an event pattern is not emulated`);
          }
          model.schedules.push(scheduledRule(template, logicalId, props));
          break;
        }
        const targets = (props.Targets as { Id: string; Arn: unknown; InputTransformer?: unknown; Input?: unknown }[] | undefined) ?? [];
        model.rules.push({
          logicalId,
          eventBusName: busNameOf(template, props.EventBusName),
          eventPattern: props.EventPattern,
          enabled: props.State === undefined || props.State === 'ENABLED',
          targets: targets.map((target) => {
            if (target.Input !== undefined || target.InputTransformer !== undefined) {
              throw new Error(`${logicalId}: target ${target.Id} uses Input/InputTransformer, which the local bus does not emulate`);
            }
            return { id: target.Id, queueName: queueNameOf(template, target.Arn) };
          }),
        });
        break;
      }
      case 'AWS::Scheduler::Schedule':
        model.schedules.push(schedulerSchedule(template, logicalId, props));
        break;
      case 'AWS::Lambda::EventSourceMapping': {
        const sourceId = referencedLogicalId(props.EventSourceArn);
        const sourceType = sourceId ? template.Resources[sourceId]?.Type : undefined;
        let source: EventSourceMappingSpec['source'];
        if (sourceType === 'AWS::SQS::Queue') source = { kind: 'sqs', queueName: queueName(template, sourceId as string) };
        else if (sourceType === 'AWS::DynamoDB::Table') {
          source = {
            kind: 'dynamodb-stream',
            tableName: literalString(template.Resources[sourceId as string]?.Properties?.TableName, `${sourceId}.TableName`),
          };
        } else
          throw new Error(`${logicalId}: event source ${JSON.stringify(props.EventSourceArn)} is not a queue or table in this template`);
        const responseTypes = (props.FunctionResponseTypes as string[] | undefined) ?? [];
        const onFailureQueueName = source.kind === 'dynamodb-stream' ? onFailureQueueNameOf(template, logicalId, props) : undefined;
        if (source.kind === 'sqs' && props.DestinationConfig !== undefined) {
          throw new Error(
            `${logicalId}: DestinationConfig applies to stream sources; an SQS source's failures go to its queue's RedrivePolicy`,
          );
        }
        model.eventSourceMappings.push({
          logicalId,
          functionName: functionNameOf(template, props.FunctionName),
          source,
          batchSize: Number(props.BatchSize ?? 10),
          reportBatchItemFailures: responseTypes.includes('ReportBatchItemFailures'),
          maximumBatchingWindowInSeconds: Number(props.MaximumBatchingWindowInSeconds ?? 0),
          ...((props.ScalingConfig as { MaximumConcurrency?: number } | undefined)?.MaximumConcurrency
            ? { maximumConcurrency: Number((props.ScalingConfig as { MaximumConcurrency: number }).MaximumConcurrency) }
            : {}),
          startingPosition: props.StartingPosition === 'LATEST' ? 'LATEST' : 'TRIM_HORIZON',
          maximumRetryAttempts: Number(props.MaximumRetryAttempts ?? -1),
          parallelizationFactor: Number(props.ParallelizationFactor ?? 1),
          bisectBatchOnFunctionError: props.BisectBatchOnFunctionError === true,
          ...(onFailureQueueName === undefined ? {} : { onFailureQueueName }),
          enabled: props.Enabled !== false,
        });
        break;
      }
      default:
        break;
    }
  }
  return model;
}
