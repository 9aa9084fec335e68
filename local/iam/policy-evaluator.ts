/**
 * AWS's evaluation logic for the identity-based policies of one principal (here: a function's role), as the
 * local stack runs it before serving a call. Nothing else takes part: no resource-based policies, permissions
 * boundaries, session policies or SCPs (the local stack has none to offer).
 *
 * The rules, with the pages they come from (AWS IAM User Guide):
 * - Explicit deny beats allow, allow beats the implicit (default) deny, and the order of statements and policies
 *   does not matter: reference_policies_evaluation-logic.html and
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_AccessPolicyLanguage_Interplay.html
 * - Action names are case-insensitive, `*` and `?` wildcards; NotAction / NotResource match everything the list does
 *   not: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html (and _notaction,
 *   _notresource).
 * - Resource ARNs are case-sensitive; `*` and `?` work inside each colon-separated segment, and a `*` that ends a
 *   segment may reach past the colons after it:
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
 * - Condition operators, the missing-key rule (a missing key fails the condition, but a negated operator such as
 *   StringNotLike or ArnNotLike is then true; ...IfExists and Null test presence), ArnLike checking the six ARN
 *   components separately: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 * - Several operators, or several keys of one operator: AND; several values of one key: OR, NOR for a negated
 *   operator: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html
 * - ForAllValues (every request value matches; true when the key is absent or empty) and ForAnyValue (at least one
 *   matches; false when absent): https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
 *   and the table of reference_policies_condition_examples-multi-valued-context-keys.html (ForAllValues:StringNotLike).
 * - Condition keys are case-insensitive, values are not (except the ...IgnoreCase operators):
 *   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-conditions.html
 *
 * Anything outside this subset (an unknown operator or element, a policy variable, Principal/NotPrincipal in an
 * identity policy, IP or binary operators) throws UnsupportedPolicyError when the policies are compiled, so the
 * stack refuses to start instead of guessing.
 *
 * One choice of ours: a plain (unqualified) operator given a key with several request values (AWS says to use a
 * set operator there) fails closed: an Allow needs every value to match, a Deny fires if any value matches.
 */

export class UnsupportedPolicyError extends Error {
  override readonly name = 'UnsupportedPolicyError';
  constructor(
    readonly feature: string,
    readonly where: string,
  ) {
    super(`${where}: ${feature} is not supported by the local IAM evaluator`);
  }
}

export type ContextScalar = string | number | boolean;
export type ContextValue = ContextScalar | readonly ContextScalar[];

/** What one authorization asks: the principal, the action (`service:Operation`), the resource ARN and the condition keys. */
export interface RequestContext {
  principal?: string;
  action: string;
  resource: string;
  conditionKeys?: Readonly<Record<string, ContextValue | undefined>>;
}

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: PolicyStatement | PolicyStatement[];
}

/** A policy document with a name to report (e.g. `UsersFunctionRole/users-data` or a managed policy's ARN). */
export interface NamedPolicy {
  name: string;
  document: unknown;
}

export interface MatchedStatement {
  policyName: string;
  /** The statement's index in its policy's Statement list. */
  index: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
  statement: PolicyStatement;
}

export interface Decision {
  decision: 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';
  /** The deny statement that decided (ExplicitDeny) or an allow statement that matched (Allow). */
  matchedStatement?: MatchedStatement;
}

// ---------------------------------------------------------------------------------------------------------------
// Wildcards

function escapeRegExp(text: string): string {
  return text.replace(/[.+^${}()|[\]\\]/g, '\\$&');
}

/** `*` any run of characters, `?` one character, anything else literal; the whole string must match. */
export function globRegExp(pattern: string, flags = ''): RegExp {
  const body = [...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : escapeRegExp(c))).join('');
  return new RegExp(`^${body}$`, flags);
}

/**
 * A Resource element's ARN pattern: wildcards stay inside their colon-separated segment, except a `*` that ends a
 * segment, which may also match the colons after it (reference_policies_elements_resource.html).
 */
function resourceRegExp(pattern: string): RegExp {
  const segments = pattern.split(':').map((segment) =>
    [...segment]
      .map((c, i) => {
        if (c === '*') return i === segment.length - 1 ? '.*' : '[^:]*';
        if (c === '?') return '[^:]';
        return escapeRegExp(c);
      })
      .join(''),
  );
  return new RegExp(`^${segments.join(':')}$`);
}

/** ArnEquals/ArnLike: each of the six colon-delimited components is compared separately, with wildcards. */
function arnComponents(arn: string): string[] | undefined {
  const parts = arn.split(':');
  if (parts.length < 6) return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

function arnMatcher(pattern: string): (value: string) => boolean {
  const components = arnComponents(pattern);
  if (!components) {
    // Not an ARN pattern: a bare wildcard ("*") still matches as a whole; a short ARN matches nothing.
    if (pattern.includes(':')) return () => false;
    const whole = globRegExp(pattern);
    return (value) => whole.test(value);
  }
  const regExps = components.map((component) => globRegExp(component));
  return (value) => {
    const parts = arnComponents(value);
    return !!parts && regExps.every((regExp, i) => regExp.test(parts[i] as string));
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Condition operators

type Matcher = (contextValue: string) => boolean;

interface BaseOperator {
  /** A negated operator (StringNotEquals, ArnNotLike, ...): its values combine with NOR, and a missing key is true. */
  negated: boolean;
  /** Compiles one policy value into a test of one request value (the positive form, before negation). */
  compile: (policyValue: string, where: string) => Matcher;
}

function numberOf(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text);
}

function dateOf(text: string): number {
  // Epoch seconds or ISO 8601 (reference_policies_elements_condition_operators.html, Date condition operators).
  return /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text);
}

function numeric(compare: (a: number, b: number) => boolean, negated = false): BaseOperator {
  return {
    negated,
    compile: (policyValue, where) => {
      const expected = numberOf(policyValue);
      if (Number.isNaN(expected)) throw new UnsupportedPolicyError(`the non-numeric value ${JSON.stringify(policyValue)}`, where);
      return (value) => {
        const actual = numberOf(value);
        return !Number.isNaN(actual) && compare(actual, expected);
      };
    },
  };
}

function date(compare: (a: number, b: number) => boolean, negated = false): BaseOperator {
  return {
    negated,
    compile: (policyValue, where) => {
      const expected = dateOf(policyValue);
      if (Number.isNaN(expected)) throw new UnsupportedPolicyError(`the value ${JSON.stringify(policyValue)}, not a date`, where);
      return (value) => {
        const actual = dateOf(value);
        return !Number.isNaN(actual) && compare(actual, expected);
      };
    },
  };
}

const stringEquals: BaseOperator['compile'] = (policyValue) => (value) => value === policyValue;
const stringEqualsIgnoreCase: BaseOperator['compile'] = (policyValue) => {
  const expected = policyValue.toLowerCase();
  return (value) => value.toLowerCase() === expected;
};
const stringLike: BaseOperator['compile'] = (policyValue) => {
  const regExp = globRegExp(policyValue);
  return (value) => regExp.test(value);
};
const arnLike: BaseOperator['compile'] = (policyValue) => arnMatcher(policyValue);

const OPERATORS: Record<string, BaseOperator> = {
  StringEquals: { negated: false, compile: stringEquals },
  StringNotEquals: { negated: true, compile: stringEquals },
  StringEqualsIgnoreCase: { negated: false, compile: stringEqualsIgnoreCase },
  StringNotEqualsIgnoreCase: { negated: true, compile: stringEqualsIgnoreCase },
  StringLike: { negated: false, compile: stringLike },
  StringNotLike: { negated: true, compile: stringLike },
  NumericEquals: numeric((a, b) => a === b),
  NumericNotEquals: numeric((a, b) => a === b, true),
  NumericLessThan: numeric((a, b) => a < b),
  NumericLessThanEquals: numeric((a, b) => a <= b),
  NumericGreaterThan: numeric((a, b) => a > b),
  NumericGreaterThanEquals: numeric((a, b) => a >= b),
  DateEquals: date((a, b) => a === b),
  DateNotEquals: date((a, b) => a === b, true),
  DateLessThan: date((a, b) => a < b),
  DateLessThanEquals: date((a, b) => a <= b),
  DateGreaterThan: date((a, b) => a > b),
  DateGreaterThanEquals: date((a, b) => a >= b),
  Bool: {
    negated: false,
    compile: (policyValue, where) => {
      const expected = policyValue.toLowerCase();
      if (expected !== 'true' && expected !== 'false') {
        throw new UnsupportedPolicyError(`the Bool value ${JSON.stringify(policyValue)} (true or false expected)`, where);
      }
      return (value) => value.toLowerCase() === expected;
    },
  },
  ArnEquals: { negated: false, compile: arnLike },
  ArnLike: { negated: false, compile: arnLike },
  ArnNotEquals: { negated: true, compile: arnLike },
  ArnNotLike: { negated: true, compile: arnLike },
};

/** Operators AWS has that this evaluator does not: named in the error so the gap is plain. */
const KNOWN_UNSUPPORTED = new Set(['BinaryEquals', 'IpAddress', 'NotIpAddress']);

type SetQualifier = 'ForAllValues' | 'ForAnyValue' | undefined;

interface CompiledCondition {
  /** The condition key, lower-cased (keys are case-insensitive). */
  key: string;
  evaluate: (values: string[] | undefined, effect: 'Allow' | 'Deny') => boolean;
}

function policyValuesOf(raw: unknown, where: string): string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((value) => {
    if (typeof value === 'string') {
      if (value.includes('${')) throw new UnsupportedPolicyError(`the policy variable in ${JSON.stringify(value)}`, where);
      return value;
    }
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw new UnsupportedPolicyError(`the condition value ${JSON.stringify(value)}`, where);
  });
}

function compileOperator(operator: string, block: unknown, where: string): CompiledCondition[] {
  let rest = operator;
  let qualifier: SetQualifier;
  const prefix = /^(ForAllValues|ForAnyValue):/.exec(rest);
  if (prefix) {
    qualifier = prefix[1] as SetQualifier;
    rest = rest.slice(prefix[0].length);
  } else if (rest.includes(':')) {
    throw new UnsupportedPolicyError(`the condition operator ${operator}`, where);
  }
  const ifExists = rest.endsWith('IfExists') && rest !== 'IfExists';
  if (ifExists) rest = rest.slice(0, -'IfExists'.length);
  if (block === null || typeof block !== 'object' || Array.isArray(block)) {
    throw new UnsupportedPolicyError(`the condition block ${JSON.stringify(block)} under ${operator}`, where);
  }
  const entries = Object.entries(block as Record<string, unknown>);
  const at = (key: string) => `${where} Condition ${operator} ${key}`;

  if (rest === 'Null') {
    if (qualifier || ifExists) throw new UnsupportedPolicyError(`the condition operator ${operator}`, where);
    return entries.map(([key, raw]) => {
      const expected = policyValuesOf(raw, at(key)).map((value) => {
        const lower = value.toLowerCase();
        if (lower !== 'true' && lower !== 'false') throw new UnsupportedPolicyError(`the Null value ${JSON.stringify(value)}`, at(key));
        return lower === 'true';
      });
      assertNoVariable(key, at(key));
      // Null true: the key is absent (no value); false: it is present. Several values: OR.
      return { key: key.toLowerCase(), evaluate: (values) => expected.some((absent) => absent === (values === undefined)) };
    });
  }

  const base = OPERATORS[rest];
  if (!base) {
    const what = KNOWN_UNSUPPORTED.has(rest) ? `the condition operator ${operator}` : `the unknown condition operator ${operator}`;
    throw new UnsupportedPolicyError(what, where);
  }
  return entries.map(([key, raw]) => {
    assertNoVariable(key, at(key));
    const matchers = policyValuesOf(raw, at(key)).map((value) => base.compile(value, at(key)));
    const one = (value: string) => {
      const any = matchers.some((matches) => matches(value));
      return base.negated ? !any : any;
    };
    return {
      key: key.toLowerCase(),
      evaluate: (values, effect) => {
        if (values === undefined) {
          if (ifExists || qualifier === 'ForAllValues') return true;
          if (qualifier === 'ForAnyValue') return false;
          return base.negated;
        }
        if (qualifier === 'ForAllValues') return values.every(one);
        if (qualifier === 'ForAnyValue') return values.some(one);
        if (values.length === 1) return one(values[0] as string);
        // A plain operator on several request values: fail closed (see the header).
        return effect === 'Allow' ? values.every(one) : values.some(one);
      },
    };
  });
}

function assertNoVariable(text: string, where: string): void {
  if (text.includes('${')) throw new UnsupportedPolicyError(`the policy variable in ${JSON.stringify(text)}`, where);
}

// ---------------------------------------------------------------------------------------------------------------
// Statements and policies

export interface CompiledStatement {
  policyName: string;
  index: number;
  where: string;
  effect: 'Allow' | 'Deny';
  /** Action patterns as written (lower-cased), and whether they are a NotAction list. */
  actionPatterns: string[];
  notAction: boolean;
  /** The condition keys the statement tests, lower-cased. */
  conditionKeys: string[];
  statement: PolicyStatement;
  matches: (request: NormalizedRequest) => boolean;
}

interface NormalizedRequest {
  action: string;
  resource: string;
  keys: Map<string, string[]>;
}

const STATEMENT_ELEMENTS = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);

function stringList(value: unknown, element: string, where: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw new UnsupportedPolicyError(`an empty ${element} list`, where);
  return list.map((item) => {
    if (typeof item !== 'string') throw new UnsupportedPolicyError(`the ${element} value ${JSON.stringify(item)} (not a string)`, where);
    return item;
  });
}

function compileActions(patterns: string[], where: string): RegExp[] {
  return patterns.map((pattern) => {
    if (pattern !== '*' && !/^[^:]+:[^:]+$/.test(pattern)) {
      throw new UnsupportedPolicyError(`the action ${JSON.stringify(pattern)} (service:action expected)`, where);
    }
    assertNoVariable(pattern, where);
    return globRegExp(pattern, 'i');
  });
}

function compileResources(patterns: string[], where: string): RegExp[] {
  return patterns.map((pattern) => {
    assertNoVariable(pattern, where);
    return resourceRegExp(pattern);
  });
}

function compileStatement(policyName: string, raw: unknown, index: number): CompiledStatement {
  let where = `${policyName} Statement[${index}]`;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new UnsupportedPolicyError(`the statement ${JSON.stringify(raw)}`, where);
  const statement = raw as Record<string, unknown>;
  if (typeof statement.Sid === 'string') where += ` (${statement.Sid})`;
  for (const element of Object.keys(statement)) {
    if (element === 'Principal' || element === 'NotPrincipal') {
      throw new UnsupportedPolicyError(`${element} (an identity-based policy names no principal)`, where);
    }
    if (!STATEMENT_ELEMENTS.has(element)) throw new UnsupportedPolicyError(`the statement element ${element}`, where);
  }
  const effect = statement.Effect;
  if (effect !== 'Allow' && effect !== 'Deny') throw new UnsupportedPolicyError(`the Effect ${JSON.stringify(effect)}`, where);
  if ((statement.Action === undefined) === (statement.NotAction === undefined)) {
    throw new UnsupportedPolicyError('a statement without exactly one of Action and NotAction', where);
  }
  if ((statement.Resource === undefined) === (statement.NotResource === undefined)) {
    throw new UnsupportedPolicyError('a statement without exactly one of Resource and NotResource', where);
  }
  const notAction = statement.NotAction !== undefined;
  const actionPatterns = stringList(notAction ? statement.NotAction : statement.Action, notAction ? 'NotAction' : 'Action', where);
  const actions = compileActions(actionPatterns, where);
  const notResource = statement.NotResource !== undefined;
  const resources = compileResources(
    stringList(notResource ? statement.NotResource : statement.Resource, notResource ? 'NotResource' : 'Resource', where),
    where,
  );
  const conditionBlock = statement.Condition ?? {};
  if (conditionBlock === null || typeof conditionBlock !== 'object' || Array.isArray(conditionBlock)) {
    throw new UnsupportedPolicyError(`the Condition ${JSON.stringify(conditionBlock)}`, where);
  }
  const conditions = Object.entries(conditionBlock as Record<string, unknown>).flatMap(([operator, block]) =>
    compileOperator(operator, block, where),
  );

  return {
    policyName,
    index,
    where,
    effect,
    actionPatterns: actionPatterns.map((pattern) => pattern.toLowerCase()),
    notAction,
    conditionKeys: [...new Set(conditions.map((condition) => condition.key))],
    statement: statement as unknown as PolicyStatement,
    matches: (request) => {
      if (actions.some((regExp) => regExp.test(request.action)) === notAction) return false;
      if (resources.some((regExp) => regExp.test(request.resource)) === notResource) return false;
      return conditions.every((condition) => condition.evaluate(request.keys.get(condition.key), effect));
    },
  };
}

const DOCUMENT_ELEMENTS = new Set(['Version', 'Id', 'Statement']);

export function compilePolicy(policy: NamedPolicy): CompiledStatement[] {
  const where = policy.name;
  const document = policy.document;
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    throw new UnsupportedPolicyError(`the policy document ${JSON.stringify(document)}`, where);
  }
  const fields = document as Record<string, unknown>;
  for (const element of Object.keys(fields)) {
    if (!DOCUMENT_ELEMENTS.has(element)) throw new UnsupportedPolicyError(`the policy element ${element}`, where);
  }
  if (fields.Version !== undefined && fields.Version !== '2012-10-17' && fields.Version !== '2008-10-17') {
    throw new UnsupportedPolicyError(`the policy Version ${JSON.stringify(fields.Version)}`, where);
  }
  if (fields.Statement === undefined) throw new UnsupportedPolicyError('a policy without Statement', where);
  const statements = Array.isArray(fields.Statement) ? fields.Statement : [fields.Statement];
  return statements.map((statement: unknown, index) => compileStatement(policy.name, statement, index));
}

function normalizeKeys(conditionKeys: RequestContext['conditionKeys']): Map<string, string[]> {
  const keys = new Map<string, string[]>();
  for (const [key, value] of Object.entries(conditionKeys ?? {})) {
    if (value === undefined) continue;
    const values = (Array.isArray(value) ? value : [value]).map((item: ContextScalar) => String(item));
    // An empty set is no value: ForAllValues true, ForAnyValue false, Null true, other operators as for a missing key.
    if (values.length > 0) keys.set(key.toLowerCase(), values);
  }
  return keys;
}

/** A principal's policies, compiled once (and checked: UnsupportedPolicyError), evaluated per request. */
export class PolicySet {
  readonly statements: readonly CompiledStatement[];

  constructor(policies: readonly NamedPolicy[]) {
    this.statements = policies.flatMap((policy) => compilePolicy(policy));
  }

  evaluate(request: RequestContext): Decision {
    const normalized: NormalizedRequest = {
      action: request.action,
      resource: request.resource,
      keys: normalizeKeys(request.conditionKeys),
    };
    let allow: CompiledStatement | undefined;
    for (const statement of this.statements) {
      if (!statement.matches(normalized)) continue;
      if (statement.effect === 'Deny') return { decision: 'ExplicitDeny', matchedStatement: matchedOf(statement) };
      allow ??= statement;
    }
    return allow ? { decision: 'Allow', matchedStatement: matchedOf(allow) } : { decision: 'ImplicitDeny' };
  }
}

function matchedOf(statement: CompiledStatement): MatchedStatement {
  return {
    policyName: statement.policyName,
    index: statement.index,
    ...(statement.statement.Sid === undefined ? {} : { sid: statement.statement.Sid }),
    effect: statement.effect,
    statement: statement.statement,
  };
}

/** One-off evaluation (compiles the policies each time; keep a PolicySet for repeated requests). */
export function evaluatePolicies(policies: readonly NamedPolicy[], request: RequestContext): Decision {
  return new PolicySet(policies).evaluate(request);
}
