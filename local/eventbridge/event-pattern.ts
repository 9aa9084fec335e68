/**
 * Amazon EventBridge event-pattern matching for the local emulator.
 *
 * Why this glue exists: the emulator routes PutEvents entries to SQS queues with the same rule
 * patterns that are deployed to AWS, and no maintained npm library implements EventBridge's
 * matching semantics (AWS's own engine, aws/event-ruler, is a Java library). This file is a small,
 * dependency-free interpreter of the pattern language described in AWS's documentation:
 * "Amazon EventBridge event patterns", "Content filtering in Amazon EventBridge event patterns"
 * (and its operator table), "Arrays in Amazon EventBridge event patterns" and "Matching null
 * values and empty strings in Amazon EventBridge event patterns". Where the docs are silent,
 * behaviour follows the aws/event-ruler README and rule compiler.
 *
 * `event` is the full envelope (source, detail-type, account, region, resources, detail, ...)
 * with `detail` already parsed from the PutEvents `Detail` JSON string.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';

/** A literal match value: matched by JSON equality (strings are case-sensitive, 5 !== "5"). */
export type EventPatternValue = string | number | boolean | null;

type OneOrMany<T> = T | T[];

/** `[op, n]` or a range `[">" | ">=", low, "<" | "<=", high]`; only JSON numbers match. */
export type NumericCondition = ['=' | '>' | '>=' | '<' | '<=', number] | ['>' | '>=', number, '<' | '<=', number];

export type AnythingButCondition =
  | string
  | number
  | string[]
  | number[]
  | { prefix: OneOrMany<string> }
  | { suffix: OneOrMany<string> }
  | { 'equals-ignore-case': OneOrMany<string> }
  | { wildcard: OneOrMany<string> };

/** A content filter: an object with exactly one operator key, placed inside a field's array. */
export type ContentFilter =
  | { prefix: string | { 'equals-ignore-case': string } }
  | { suffix: string | { 'equals-ignore-case': string } }
  | { 'equals-ignore-case': string }
  | { wildcard: string }
  | { 'anything-but': AnythingButCondition }
  | { exists: boolean }
  | { numeric: NumericCondition }
  | { cidr: string };

export type EventPatternMatcher = EventPatternValue | ContentFilter;

/**
 * An event pattern has the same shape as the events it matches: a field maps either to an array of
 * matchers (OR within the array, AND across fields) or to a nested pattern. `$or` maps to an array
 * of alternative patterns evaluated at the same level.
 */
export interface EventPattern {
  [field: string]: EventPatternMatcher[] | EventPattern | EventPattern[];
}

type Leaf = string | number | boolean | null;

const OPERATORS = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard', 'anything-but', 'exists', 'numeric', 'cidr'] as const;
type Operator = (typeof OPERATORS)[number];

const ANYTHING_BUT_FORMS = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard'] as const;
type AnythingButForm = (typeof ANYTHING_BUT_FORMS)[number];

const NUMERIC_OPERATORS = ['=', '>', '>=', '<', '<='] as const;

// ---------------------------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------------------------

/**
 * True when `event` matches `pattern`. The pattern is validated first (it throws like
 * assertValidEventPattern), so a malformed rule fails loudly instead of silently routing nothing.
 */
export function matchesEventPattern(pattern: EventPattern, event: Record<string, unknown>): boolean {
  assertValidEventPattern(pattern);
  return matchesNested(pattern, event);
}

/**
 * A nested pattern applies to an object. If the event holds an array of objects there, the pattern
 * must match one element on its own (event-ruler's "array-consistent" matching). If there is no
 * object at all, every field is absent, which only `exists: false` can satisfy.
 */
function matchesNested(pattern: EventPattern, value: unknown): boolean {
  const candidates = objectsIn(value);
  if (candidates.length === 0) return matchesObject(pattern, {});
  return candidates.some((candidate) => matchesObject(pattern, candidate));
}

function matchesObject(pattern: EventPattern, object: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([field, sub]) => {
    if (field === '$or') return (sub as EventPattern[]).some((branch) => matchesObject(branch, object));
    const value = Object.hasOwn(object, field) ? object[field] : undefined;
    return Array.isArray(sub) ? matchesField(sub as EventPatternMatcher[], value) : matchesNested(sub, value);
  });
}

/** OR across the field's matchers. An event array matches if any of its elements does. */
function matchesField(matchers: EventPatternMatcher[], value: unknown): boolean {
  const leaves = leafValues(value);
  return matchers.some((matcher) => {
    if (matcher === null || typeof matcher !== 'object') return leaves.includes(matcher);
    const [operator, operand] = Object.entries(matcher)[0] as [Operator, unknown];
    // exists looks at the field as a whole; objects are not leaves ("only works on leaf nodes").
    if (operator === 'exists') return operand === leaves.length > 0;
    return leaves.some((leaf) => LEAF_OPERATORS[operator](operand as never, leaf));
  });
}

const LEAF_OPERATORS: Record<Exclude<Operator, 'exists'>, (operand: never, value: Leaf) => boolean> = {
  prefix: matchesPrefix,
  suffix: matchesSuffix,
  'equals-ignore-case': matchesEqualsIgnoreCase,
  wildcard: matchesWildcard,
  'anything-but': matchesAnythingBut,
  numeric: matchesNumeric,
  cidr: matchesCidr,
};

function matchesPrefix(operand: string | { 'equals-ignore-case': string }, value: Leaf): boolean {
  if (typeof value !== 'string') return false;
  if (typeof operand === 'string') return value.startsWith(operand);
  return value.toLowerCase().startsWith(operand['equals-ignore-case'].toLowerCase());
}

function matchesSuffix(operand: string | { 'equals-ignore-case': string }, value: Leaf): boolean {
  if (typeof value !== 'string') return false;
  if (typeof operand === 'string') return value.endsWith(operand);
  return value.toLowerCase().endsWith(operand['equals-ignore-case'].toLowerCase());
}

function matchesEqualsIgnoreCase(operand: string, value: Leaf): boolean {
  return typeof value === 'string' && value.toLowerCase() === operand.toLowerCase();
}

function matchesWildcard(operand: string, value: Leaf): boolean {
  return typeof value === 'string' && wildcardToRegExp(operand).test(value);
}

/**
 * Matches any present value except the excluded ones, including null and values of another type.
 * An absent field never matches (there is no value to be "anything but").
 */
function matchesAnythingBut(operand: AnythingButCondition, value: Leaf): boolean {
  if (typeof operand !== 'object') return value !== operand;
  if (Array.isArray(operand)) return !(operand as Leaf[]).includes(value);
  const [form, excluded] = Object.entries(operand)[0] as [AnythingButForm, OneOrMany<string>];
  if (typeof value !== 'string') return true;
  const list = Array.isArray(excluded) ? excluded : [excluded];
  return !list.some((item) => isExcludedBy(form, item, value));
}

function isExcludedBy(form: AnythingButForm, item: string, value: string): boolean {
  switch (form) {
    case 'prefix':
      return value.startsWith(item);
    case 'suffix':
      return value.endsWith(item);
    case 'equals-ignore-case':
      return value.toLowerCase() === item.toLowerCase();
    case 'wildcard':
      return wildcardToRegExp(item).test(value);
  }
}

/** Numeric matching only applies to JSON numbers; "5" never matches. */
function matchesNumeric(condition: NumericCondition, value: Leaf): boolean {
  if (typeof value !== 'number') return false;
  for (let i = 0; i < condition.length; i += 2) {
    if (!compare(value, condition[i], condition[i + 1])) return false;
  }
  return true;
}

function compare(value: number, operator: unknown, bound: unknown): boolean {
  if (typeof bound !== 'number') return false;
  switch (operator) {
    case '=':
      return value === bound;
    case '>':
      return value > bound;
    case '>=':
      return value >= bound;
    case '<':
      return value < bound;
    case '<=':
      return value <= bound;
    default:
      return false;
  }
}

function matchesCidr(cidr: string, value: Leaf): boolean {
  if (typeof value !== 'string') return false;
  const { address, prefix, family } = parseCidr(cidr);
  if (ipFamily(value) !== family) return false;
  const block = new BlockList();
  block.addSubnet(address, prefix, family);
  return block.check(value, family);
}

/** `*` matches any run of characters (including none); `\*` and `\\` are a literal `*` and `\`. */
function wildcardToRegExp(wildcard: string): RegExp {
  let source = '';
  for (let i = 0; i < wildcard.length; i++) {
    const char = wildcard.charAt(i);
    if (char === '\\') source += escapeRegExp(wildcard.charAt(++i));
    else if (char === '*') source += '.*';
    else source += escapeRegExp(char);
  }
  return new RegExp(`^${source}$`, 's');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Scalars reachable at a field, flattening arrays; objects are intermediate nodes, not leaves. */
function leafValues(value: unknown): Leaf[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap(leafValues);
  if (isPlainObject(value)) return [];
  return [value as Leaf];
}

function objectsIn(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value)) return value.flatMap(objectsIn);
  return isPlainObject(value) ? [value] : [];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function ipFamily(address: string): 'ipv4' | 'ipv6' | undefined {
  if (isIPv4(address)) return 'ipv4';
  if (isIPv6(address)) return 'ipv6';
  return undefined;
}

function parseCidr(cidr: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } {
  const [, address = '', prefixLength = ''] = /^([^/]+)\/(\d{1,3})$/.exec(cidr) ?? [];
  const family = ipFamily(address);
  if (!family) throw new Error(`"${cidr}" is not a CIDR block such as "10.0.0.0/24"`);
  const prefix = Number(prefixLength);
  if (prefix > (family === 'ipv4' ? 32 : 128)) throw new Error(`"${cidr}" has an out-of-range prefix length`);
  return { address, prefix, family };
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

/** Throws an Error naming the offending path when `pattern` is not a valid EventBridge pattern. */
export function assertValidEventPattern(pattern: unknown): asserts pattern is EventPattern {
  validateObject(pattern, '', false);
}

function fail(path: string, problem: string): never {
  throw new Error(`Invalid event pattern${path ? ` at "${path}"` : ''}: ${problem}`);
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  return `${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value} ${JSON.stringify(value)}`;
}

function validateObject(pattern: unknown, path: string, insideOr: boolean): void {
  if (!isPlainObject(pattern)) fail(path, `expected a JSON object, got ${describe(pattern)}`);
  const entries = Object.entries(pattern);
  if (entries.length === 0) fail(path, 'empty objects are not allowed');
  for (const [field, value] of entries) {
    const fieldPath = path ? `${path}.${field}` : field;
    if (field === '$or') {
      validateOr(value, fieldPath);
    } else if (insideOr && (OPERATORS as readonly string[]).includes(field)) {
      fail(fieldPath, `"${field}" is an operator and cannot be used as a field name inside $or`);
    } else if (Array.isArray(value)) {
      validateMatchers(value, fieldPath);
    } else if (isPlainObject(value)) {
      validateObject(value, fieldPath, insideOr);
    } else {
      fail(fieldPath, `a field must map to an array of match values or a nested object, got ${describe(value)}`);
    }
  }
}

function validateOr(branches: unknown, path: string): void {
  if (!Array.isArray(branches) || branches.length < 2) {
    fail(path, `$or must be an array of at least 2 patterns, got ${describe(branches)}`);
  }
  branches.forEach((branch, i) => validateObject(branch, `${path}[${i}]`, true));
}

function validateMatchers(matchers: unknown[], path: string): void {
  if (matchers.length === 0) fail(path, 'empty arrays are not allowed');
  matchers.forEach((matcher, i) => {
    const itemPath = `${path}[${i}]`;
    if (matcher === null || typeof matcher === 'string' || typeof matcher === 'boolean') return;
    if (typeof matcher === 'number' && Number.isFinite(matcher)) return;
    if (isPlainObject(matcher)) return validateContentFilter(matcher, itemPath);
    fail(itemPath, `match values must be strings, numbers, booleans, null or operator objects, got ${describe(matcher)}`);
  });
}

function validateContentFilter(filter: Record<string, unknown>, path: string): void {
  const [entry, ...extra] = Object.entries(filter);
  if (!entry || extra.length > 0) fail(path, `an operator object must have exactly one key, got ${describe(filter)}`);
  const [operator, operand] = entry;
  const operatorPath = `${path}.${operator}`;
  switch (operator as Operator) {
    case 'prefix':
    case 'suffix':
      if (typeof operand === 'string') return;
      if (isPlainObject(operand) && Object.keys(operand).length === 1 && typeof operand['equals-ignore-case'] === 'string') {
        return;
      }
      return fail(operatorPath, `expected a string or {"equals-ignore-case": string}, got ${describe(operand)}`);
    case 'equals-ignore-case':
      return expectString(operand, operatorPath);
    case 'wildcard':
      return validateWildcard(operand, operatorPath);
    case 'anything-but':
      return validateAnythingBut(operand, operatorPath);
    case 'exists':
      if (typeof operand !== 'boolean') fail(operatorPath, `expected true or false, got ${describe(operand)}`);
      return;
    case 'numeric':
      return validateNumeric(operand, operatorPath);
    case 'cidr':
      expectString(operand, operatorPath);
      try {
        parseCidr(operand);
      } catch (error) {
        fail(operatorPath, (error as Error).message);
      }
      return;
    default:
      fail(path, `unknown operator "${operator}" (supported: ${OPERATORS.join(', ')})`);
  }
}

function expectString(operand: unknown, path: string): asserts operand is string {
  if (typeof operand !== 'string') fail(path, `expected a string, got ${describe(operand)}`);
}

function validateWildcard(operand: unknown, path: string): void {
  expectString(operand, path);
  for (let i = 0; i < operand.length; i++) {
    if (operand[i] === '\\') {
      if (operand[i + 1] !== '*' && operand[i + 1] !== '\\') {
        fail(path, `backslash may only escape "*" or "\\" in ${JSON.stringify(operand)}`);
      }
      i++;
    } else if (operand[i] === '*' && operand[i + 1] === '*') {
      fail(path, `consecutive wildcard characters are not allowed in ${JSON.stringify(operand)}`);
    }
  }
}

function validateAnythingBut(operand: unknown, path: string): void {
  if (typeof operand === 'string' || (typeof operand === 'number' && Number.isFinite(operand))) return;
  if (Array.isArray(operand)) {
    const allStrings = operand.every((item) => typeof item === 'string');
    const allNumbers = operand.every((item) => typeof item === 'number' && Number.isFinite(item));
    if (operand.length === 0 || !(allStrings || allNumbers)) {
      fail(path, `expected a non-empty list of only strings or only numbers, got ${describe(operand)}`);
    }
    return;
  }
  if (!isPlainObject(operand)) {
    fail(path, `expected a string, number, list, or {prefix|suffix|equals-ignore-case|wildcard: ...}, got ${describe(operand)}`);
  }
  const [entry, ...extra] = Object.entries(operand);
  if (!entry || extra.length > 0 || !(ANYTHING_BUT_FORMS as readonly string[]).includes(entry[0])) {
    fail(path, `expected exactly one of ${ANYTHING_BUT_FORMS.join(', ')}, got ${describe(operand)}`);
  }
  const [form, excluded] = entry;
  const formPath = `${path}.${form}`;
  const list = Array.isArray(excluded) ? excluded : [excluded];
  if (list.length === 0) fail(formPath, 'empty arrays are not allowed');
  list.forEach((item) => {
    if (form === 'wildcard') return validateWildcard(item, formPath);
    expectString(item, formPath);
    if (item === '' && (form === 'prefix' || form === 'suffix')) fail(formPath, `an empty ${form} is not allowed`);
  });
}

function validateNumeric(operand: unknown, path: string): void {
  const shape = 'expected [op, number] or [">"|">=", number, "<"|"<=", number]';
  if (!Array.isArray(operand) || (operand.length !== 2 && operand.length !== 4)) {
    fail(path, `${shape}, got ${describe(operand)}`);
  }
  for (let i = 0; i < operand.length; i += 2) {
    const [op, bound] = [operand[i], operand[i + 1]];
    if (!(NUMERIC_OPERATORS as readonly unknown[]).includes(op)) fail(path, `unknown numeric operator ${describe(op)}`);
    if (typeof bound !== 'number' || !Number.isFinite(bound))
      fail(path, `the value after "${op}" must be a number, got ${describe(bound)}`);
  }
  if (operand.length === 4 && !(['>', '>='].includes(operand[0]) && ['<', '<='].includes(operand[2]))) {
    fail(path, `${shape}, got ${describe(operand)}`);
  }
}
