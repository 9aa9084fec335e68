/**
 * Reads the CloudFormation template that `serverless package` compiles (the one AWS deploys) and
 * extracts what the local stack has to be: tables, queues, bus rules and event source mappings.
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
  enabled: boolean;
}
export interface LocalStackModel {
  tables: TableSpec[];
  queues: QueueSpec[];
  eventBuses: string[];
  rules: RuleSpec[];
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
function referencedLogicalId(value: unknown): string | undefined {
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

const QUEUE_ATTRIBUTES = [
  'VisibilityTimeout',
  'MessageRetentionPeriod',
  'DelaySeconds',
  'ReceiveMessageWaitTimeSeconds',
  'MaximumMessageSize',
];

export function localStackModel(template: CfnTemplate): LocalStackModel {
  const model: LocalStackModel = { tables: [], queues: [], eventBuses: [], rules: [], eventSourceMappings: [] };
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
        const targets = (props.Targets as { Id: string; Arn: unknown; InputTransformer?: unknown; Input?: unknown }[] | undefined) ?? [];
        // Scheduled rules invoke functions, not queues: serverless-offline fires them (the `schedule` events).
        if (typeof props.ScheduleExpression === 'string') break;
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
