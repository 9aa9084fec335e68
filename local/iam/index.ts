/**
 * Local IAM enforcement: each function's AWS calls, signed with its deployed function name as the access key id, are
 * checked against its role's identity policies from the compiled template before a local endpoint serves them.
 *
 *   const iam = createIamEnforcer(template, { region, accountId, stackName });   // throws UnsupportedPolicyError
 *   const outcome = iam.authorize('dynamodb', { method, path: req.url, headers: req.headers, body });
 *   if (!outcome.allowed) { res.writeHead(outcome.response.status, outcome.response.headers); res.end(outcome.response.body); }
 *
 * Calls signed with the stack's own access key id (`local`: provisioning, pollers, seeding, tests) are not checked.
 * A caller that is neither the stack nor a function of the template, or an unsigned call, is denied. A request the
 * check cannot authorize faithfully (requests.ts) is denied, saying why. Policies the evaluator does not support, and
 * condition keys the target service would set but this check does not compute, throw at construction.
 */
import type { CfnTemplate } from '../cloudformation.js';
import { denialResponse, type DenialReason, type DenialResponse } from './denials.js';
import { globRegExp, PolicySet, UnsupportedPolicyError, type Decision, type RequestContext } from './policy-evaluator.js';
import {
  accessKeyIdOf,
  COMPUTED_CONDITION_KEYS,
  parseRequest,
  UnsupportedRequestError,
  type RequestOptions,
  type Service,
  type ServiceRequest,
} from './requests.js';
import { functionRoles, localResourceResolver, type FunctionRole, type ResourceResolver } from './role-policies.js';

export { UnsupportedPolicyError } from './policy-evaluator.js';
export { UnsupportedRequestError, type Service, type ServiceRequest } from './requests.js';
export type { DenialResponse } from './denials.js';
export type { FunctionRole } from './role-policies.js';

export interface IamEnforcerOptions {
  region: string;
  accountId: string;
  partition?: string;
  /**
   * The stack's name (`<service>-<stage>`): CloudFormation names a role without RoleName `<stack>-<logical id>-<suffix>`;
   * locally `<stack>-<logical id>`. It appears in the session ARN of denial messages.
   */
  stackName?: string;
  /** The access key id of the stack's own calls, never checked; default `local`. */
  stackAccessKeyId?: string;
  /** The clock for aws:CurrentTime and aws:EpochTime. */
  now?: () => Date;
}

export type AuthorizeResult =
  { allowed: true; caller: 'stack' | { functionName: string } } | { allowed: false; reason: DenialReason; response: DenialResponse };

export interface IamEnforcer {
  /** The template's functions by name, with their roles and policies. */
  readonly functions: ReadonlyMap<string, FunctionRole>;
  /** Decides a request to a local endpoint; a denial carries the response to send. */
  authorize(service: Service, request: ServiceRequest): AuthorizeResult;
  /** One authorization for a function (the global condition keys are added), e.g. to check a role in a test. */
  evaluate(functionName: string, context: RequestContext): Decision;
}

/** The services whose endpoints the local stack enforces, by IAM service prefix. */
const ENFORCED_SERVICES: readonly string[] = ['dynamodb', 'sqs', 'events', 'lambda'];

/** Global condition keys this check sets on every request of a function. */
const GLOBAL_CONDITION_KEYS = [
  'aws:PrincipalArn',
  'aws:PrincipalAccount',
  'aws:PrincipalType',
  'aws:RequestedRegion',
  'aws:CurrentTime',
  'aws:EpochTime',
  'aws:SecureTransport',
];

function globalConditionKeys(role: FunctionRole, options: IamEnforcerOptions): Record<string, string> {
  const now = options.now?.() ?? new Date();
  return {
    // For a role session, aws:PrincipalArn is the role's ARN.
    'aws:PrincipalArn': role.roleArn,
    'aws:PrincipalAccount': options.accountId,
    'aws:PrincipalType': 'AssumedRole',
    'aws:RequestedRegion': options.region,
    'aws:CurrentTime': now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'aws:EpochTime': String(Math.floor(now.getTime() / 1000)),
    // On AWS the functions' SDK calls go over HTTPS.
    'aws:SecureTransport': 'true',
  };
}

/** The partition keys of the template's tables and of their indexes. */
function templatePartitionKeys(
  template: CfnTemplate,
  resolve: ResourceResolver,
): (tableName: string, indexName?: string) => string | undefined {
  const keys = new Map<string, string>();
  const hashOf = (schema: unknown) =>
    (schema as { AttributeName?: string; KeyType?: string }[] | undefined)?.find((key) => key.KeyType === 'HASH')?.AttributeName;
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::DynamoDB::Table') continue;
    const tableName = resolve(logicalId, undefined);
    if (typeof tableName !== 'string') continue;
    const props = resource.Properties ?? {};
    const tableKey = hashOf(props.KeySchema);
    if (tableKey) keys.set(tableName, tableKey);
    for (const index of [...((props.GlobalSecondaryIndexes as unknown[]) ?? []), ...((props.LocalSecondaryIndexes as unknown[]) ?? [])]) {
      const { IndexName, KeySchema } = index as { IndexName?: string; KeySchema?: unknown };
      const indexKey = hashOf(KeySchema);
      if (IndexName && indexKey) keys.set(`${tableName}/${IndexName}`, indexKey);
    }
  }
  return (tableName, indexName) => keys.get(indexName ? `${tableName}/${indexName}` : tableName);
}

/** Whether a statement's Action (or NotAction) can reach `service`. */
function reaches(statement: PolicySet['statements'][number], service: string): boolean {
  if (statement.notAction) return true;
  // The service prefix of each pattern (`*` alone is its own prefix), with its wildcards.
  return statement.actionPatterns.some((pattern) => globRegExp(pattern.split(':')[0] ?? '').test(service));
}

/**
 * Refuses a condition key the target service (or AWS globally) would set but this check does not compute: AWS would
 * test its real value, here it would be missing, and a missing key can make a condition true (ForAllValues, a negated
 * operator, IfExists). Keys of other services are missing on AWS too, so they evaluate alike.
 */
function assertComputedKeys(policies: PolicySet, role: FunctionRole): void {
  const globals = new Set(GLOBAL_CONDITION_KEYS.map((key) => key.toLowerCase()));
  for (const statement of policies.statements) {
    for (const service of ENFORCED_SERVICES.filter((candidate) => reaches(statement, candidate))) {
      const computed = new Set((COMPUTED_CONDITION_KEYS[service] ?? []).map((key) => key.toLowerCase()));
      for (const key of statement.conditionKeys) {
        const lower = key.toLowerCase();
        const prefix = lower.split(':')[0];
        const known = prefix === 'aws' ? globals.has(lower) : prefix !== service || computed.has(lower);
        if (!known) {
          throw new UnsupportedPolicyError(
            `the condition key ${key} on ${service} requests (not computed locally; computed: ${[...GLOBAL_CONDITION_KEYS, ...(COMPUTED_CONDITION_KEYS[service] ?? [])].join(', ')})`,
            `${statement.where} (role of ${role.functionName})`,
          );
        }
      }
    }
  }
}

export function createIamEnforcer(template: CfnTemplate, options: IamEnforcerOptions): IamEnforcer {
  const stackKey = options.stackAccessKeyId ?? 'local';
  const resolve = localResourceResolver(template, options);
  const functions = functionRoles(template, { ...options, resolve });
  const policySets = new Map<string, PolicySet>();
  const policiesOf = new Map<string, PolicySet>();
  for (const role of functions.values()) {
    let set = policySets.get(role.roleLogicalId);
    if (!set) {
      set = new PolicySet(role.policies);
      policySets.set(role.roleLogicalId, set);
    }
    assertComputedKeys(set, role);
    policiesOf.set(role.functionName, set);
  }
  const requestOptions: RequestOptions = {
    region: options.region,
    accountId: options.accountId,
    ...(options.partition ? { partition: options.partition } : {}),
    partitionKeyOf: templatePartitionKeys(template, resolve),
  };

  const evaluate = (functionName: string, context: RequestContext): Decision => {
    const role = functions.get(functionName);
    const set = policiesOf.get(functionName);
    if (!role || !set) throw new Error(`${functionName} is not a function of the template`);
    return set.evaluate({ ...context, conditionKeys: { ...globalConditionKeys(role, options), ...context.conditionKeys } });
  };

  const deny = (service: Service, request: ServiceRequest, reason: DenialReason): AuthorizeResult => {
    const protocol = Object.keys(request.headers).some((name) => name.toLowerCase() === 'x-amz-target') ? 'json' : 'query';
    return { allowed: false, reason, response: denialResponse(service, reason, { protocol }) };
  };

  return {
    functions,
    evaluate,
    authorize(service, request) {
      const caller = accessKeyIdOf(request);
      if (caller === stackKey) return { allowed: true, caller: 'stack' };
      const role = caller === undefined ? undefined : functions.get(caller);
      if (!role) return deny(service, request, { kind: 'unknown-caller', accessKeyId: caller });
      let contexts: RequestContext[];
      try {
        contexts = parseRequest(service, request, requestOptions).contexts;
      } catch (error) {
        if (!(error instanceof UnsupportedRequestError)) throw error;
        return deny(service, request, { kind: 'unsupported-request', principalArn: role.sessionArn, reason: error.message });
      }
      for (const context of contexts) {
        const { decision } = evaluate(role.functionName, context);
        if (decision !== 'Allow') {
          return deny(service, request, {
            kind: 'policy',
            principalArn: role.sessionArn,
            action: context.action,
            resource: context.resource,
            decision,
          });
        }
      }
      return { allowed: true, caller: { functionName: role.functionName } };
    },
  };
}
