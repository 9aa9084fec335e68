/**
 * API Gateway's Lambda TOKEN authorizers, for the local gateway (local/gateway.ts). serverless-offline runs an
 * authorizer on every request and caches nothing, so a protected request cost two function invocations
 * locally where API Gateway, which caches each token's policy for AuthorizerResultTtlInSeconds, costs one;
 * offline also let a client set the authorizer context itself (its `sls-offline-authorizer-override`
 * header). So the gateway authorizes as API Gateway does, from the compiled template:
 * - the identity source header missing, empty or not matching IdentityValidationExpression: 401, no invocation;
 * - otherwise the authorizer function is invoked with `{type: 'TOKEN', authorizationToken, methodArn}`;
 *   its error "Unauthorized" is 401, any other failure 500 (AUTHORIZER_FAILURE);
 * - the policy it returns is kept per token for the TTL (0: not kept) and applied to each request's method
 *   ARN: an explicit Deny or no Allow is 403 (ACCESS_DENIED);
 * - on Allow the function gets `principalId`, `integrationLatency` and the context (values as strings, as
 *   REST APIs pass them) in requestContext.authorizer.
 */
import type { CfnTemplate } from './cloudformation.js';
import type { Invoker } from './sqs-poller.js';

export interface TokenAuthorizer {
  /** The AWS::ApiGateway::Authorizer's logical id (what the cache is per, with the token). */
  id: string;
  functionName: string;
  /** Lower-case header name, from IdentitySource `method.request.header.<Name>`. */
  header: string;
  ttlSeconds: number;
  validation?: RegExp;
}

/** The TOKEN authorizer of an AWS::ApiGateway::Method's properties, if it has one (AuthorizationType CUSTOM). */
export function tokenAuthorizerOf(template: CfnTemplate, method: Record<string, unknown>): TokenAuthorizer | undefined {
  if (method.AuthorizationType !== 'CUSTOM') return undefined;
  const id = (method.AuthorizerId as { Ref?: string } | undefined)?.Ref;
  const props = id ? template.Resources[id]?.Properties : undefined;
  if (!id || !props) throw new Error(`Cannot resolve the authorizer ${JSON.stringify(method.AuthorizerId)} in the template`);
  // A REQUEST authorizer takes other identity sources and another event: not emulated, and never skipped.
  if (props.Type !== 'TOKEN') throw new Error(`Authorizer ${id}: only TOKEN authorizers run locally, not ${String(props.Type)}`);
  const header = /^method\.request\.header\.(.+)$/.exec(String(props.IdentitySource))?.[1];
  if (!header) throw new Error(`Authorizer ${id}: IdentitySource ${String(props.IdentitySource)} is not a header`);
  return {
    id,
    functionName: authorizerFunctionName(template, id, props.AuthorizerUri),
    header: header.toLowerCase(),
    // API Gateway's default when unset.
    ttlSeconds: props.AuthorizerResultTtlInSeconds === undefined ? 300 : Number(props.AuthorizerResultTtlInSeconds),
    ...(typeof props.IdentityValidationExpression === 'string'
      ? { validation: new RegExp(`^(?:${props.IdentityValidationExpression})$`) }
      : {}),
  };
}

/**
 * The FunctionName of the function a Lambda invocation URI names (an AuthorizerUri, or an AWS_PROXY integration's
 * Uri): `...:lambda:path/2015-03-31/functions/<function ARN>/invocations`, the ARN a GetAtt of the function.
 */
export function invokedFunctionName(template: CfnTemplate, uri: unknown): string | undefined {
  const parts = (uri as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join']?.[1] ?? [];
  for (const part of parts) {
    const getAtt = (part as { 'Fn::GetAtt'?: [string, string] } | null)?.['Fn::GetAtt'];
    const name = getAtt?.[1] === 'Arn' ? template.Resources[getAtt[0]]?.Properties?.FunctionName : undefined;
    if (typeof name === 'string') return name;
  }
  return undefined;
}

function authorizerFunctionName(template: CfnTemplate, id: string, uri: unknown): string {
  const name = invokedFunctionName(template, uri);
  if (name === undefined) throw new Error(`Authorizer ${id}: cannot find its function in AuthorizerUri ${JSON.stringify(uri)}`);
  return name;
}

export type Authorization =
  | { outcome: 'allow'; context: Record<string, string | number> }
  | { outcome: 'unauthorized' } // 401
  | { outcome: 'denied' } // 403
  | { outcome: 'failed' }; // 500

interface PolicyStatement {
  Effect?: string;
  Action?: string | string[];
  Resource?: string | string[];
}

interface AuthorizerAnswer {
  principalId: string;
  statements: PolicyStatement[];
  context: Record<string, string>;
}

/** Whether `policy` lets the caller invoke `methodArn`: an explicit Deny wins, else an Allow is needed. */
export function policyAllows(statements: PolicyStatement[], methodArn: string): boolean {
  const applies = (statement: PolicyStatement) =>
    list(statement.Action).some((action) => ['execute-api:invoke', 'execute-api:*', '*'].includes(action.toLowerCase())) &&
    list(statement.Resource).some((resource) => globMatches(resource, methodArn));
  const relevant = statements.filter(applies);
  if (relevant.some((statement) => statement.Effect === 'Deny')) return false;
  return relevant.some((statement) => statement.Effect === 'Allow');
}

const list = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** IAM resource matching: `*` any run of characters, `?` one. */
function globMatches(pattern: string, value: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(value);
}

/** The authorizer function's answer, or why it is none: what API Gateway would make of it. */
function answerOf(payload: unknown): AuthorizerAnswer | undefined {
  const answer = payload as { principalId?: unknown; policyDocument?: { Statement?: unknown }; context?: unknown } | null;
  if (!answer || typeof answer.principalId !== 'string' || !answer.policyDocument) return undefined;
  const statement = answer.policyDocument.Statement;
  const statements = (Array.isArray(statement) ? statement : [statement]).filter(
    (s): s is PolicyStatement => typeof s === 'object' && s !== null,
  );
  const context: Record<string, string> = {};
  for (const [key, value] of Object.entries((answer.context as Record<string, unknown> | undefined) ?? {})) {
    // Only strings, numbers and booleans may be in an authorizer's context; API Gateway refuses the rest.
    if (!['string', 'number', 'boolean'].includes(typeof value)) return undefined;
    context[key] = String(value);
  }
  return { principalId: answer.principalId, statements, context };
}

/** Runs the authorizers through `invoke`, keeping each token's answer for its authorizer's TTL. */
export class TokenAuthorizers {
  private readonly answers = new Map<string, { until: number; answer: Promise<AuthorizerAnswer | 'unauthorized' | 'failed'> }>();

  constructor(
    private readonly invoke: Invoker,
    private readonly now: () => number = Date.now,
    /** A bound on the tokens kept; the oldest go first. */
    private readonly maxEntries = 10_000,
  ) {}

  async authorize(authorizer: TokenAuthorizer, headerValue: string | undefined, methodArn: string): Promise<Authorization> {
    if (!headerValue || (authorizer.validation && !authorizer.validation.test(headerValue))) return { outcome: 'unauthorized' };
    const started = this.now();
    const answer = await this.answer(authorizer, headerValue, methodArn);
    if (answer === 'unauthorized' || answer === 'failed') return { outcome: answer };
    if (!policyAllows(answer.statements, methodArn)) return { outcome: 'denied' };
    return { outcome: 'allow', context: { ...answer.context, principalId: answer.principalId, integrationLatency: this.now() - started } };
  }

  private answer(authorizer: TokenAuthorizer, token: string, methodArn: string) {
    const key = `${authorizer.id}\n${token}`;
    const kept = this.answers.get(key);
    if (kept && kept.until > this.now()) return kept.answer;
    this.answers.delete(key);
    const answer = this.invoke(authorizer.functionName, { type: 'TOKEN', authorizationToken: token, methodArn }).then((result) => {
      if (!result.ok) return result.error === 'Unauthorized' ? 'unauthorized' : 'failed';
      return answerOf(result.payload) ?? 'failed';
    });
    if (authorizer.ttlSeconds > 0) {
      // Kept from the start, so that concurrent requests with one new token invoke once; refusals and
      // failures are not kept (the next request asks again), nor is an invocation that threw (offline
      // unreachable): its rejection goes to the callers of this answer, and is handled here too.
      this.answers.set(key, { until: this.now() + authorizer.ttlSeconds * 1000, answer });
      const forget = () => {
        if (this.answers.get(key)?.answer === answer) this.answers.delete(key);
      };
      void answer.then((settled) => {
        if (typeof settled === 'string') forget();
      }, forget);
      if (this.answers.size > this.maxEntries) this.answers.delete(this.answers.keys().next().value as string);
    }
    return answer;
  }
}
