/**
 * The contract check of the end-to-end suites: every answer that passes through `api()`
 * (tests/support/http.ts) is held to the stage's own API description (GET /openapi.json): the status
 * is one the operation declares, and the body matches the declared schema; an answer for a route the
 * description does not have is a 404/405 in the error shape. Whatever the base URL points at.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { baseUrl } from './env.js';

type Schema = Record<string, unknown>;
interface Operation {
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

interface CompiledRoute {
  template: string;
  pattern: RegExp;
  /** More literal segments first: `/users/{userId}/orders` before `/users/{userId}/{x}`. */
  specificity: number;
  operations: Record<string, Operation>;
}

let loaded: Promise<{ routes: CompiledRoute[]; errorSchema: Schema; ajv: Ajv2020 }> | undefined;
const validators = new Map<Schema, ValidateFunction>();

async function load() {
  const response = await fetch(`${baseUrl()}/openapi.json`);
  if (response.status !== 200) throw new Error(`contract: GET /openapi.json answered ${response.status}`);
  const document = (await response.json()) as Document;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  const routes = Object.entries(document.paths)
    .map(([template, operations]) => ({
      template,
      pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`),
      specificity: template.split('/').filter((segment) => segment && !segment.startsWith('{')).length,
      operations,
    }))
    .sort((a, b) => b.specificity - a.specificity);
  const errorSchema = document.components.schemas.Error as Schema;
  return { routes, errorSchema, ajv };
}

/** The one `$ref` the document uses is the error schema. */
const resolve = (schema: Schema, errorSchema: Schema): Schema => (schema.$ref === '#/components/schemas/Error' ? errorSchema : schema);

function validatorFor(ajv: Ajv2020, schema: Schema): ValidateFunction {
  let validate = validators.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    validators.set(schema, validate);
  }
  return validate;
}

/** Throws when the answer breaks the stage's API description. */
export async function checkAgainstContract(
  method: string,
  url: string,
  status: number,
  contentType: string | null,
  text: string,
): Promise<void> {
  loaded ??= load();
  const { routes, errorSchema, ajv } = await loaded;
  const base = new URL(baseUrl());
  const requested = new URL(url);
  // The stage prefix (AWS) is the base URL's path; locally there is none.
  let path = requested.pathname;
  const prefix = base.pathname.replace(/\/$/, '');
  if (prefix && path.startsWith(prefix)) path = path.slice(prefix.length) || '/';
  const what = `${method} ${requested.pathname}${requested.search} -> ${status}`;

  const route = routes.find((candidate) => candidate.pattern.test(path));
  const operation = route?.operations[method.toLowerCase()];
  let schema: Schema | undefined;
  if (!operation) {
    if (method === 'HEAD' || method === 'OPTIONS') return; // not described: the gateway's business
    if (![403, 404, 405].includes(status))
      throw new Error(`contract: ${what}: the description has no such operation, yet it did not answer 404/405`);
    schema = errorSchema;
  } else {
    const declared = operation.responses[String(status)];
    if (!declared) {
      throw new Error(
        `contract: ${what}: ${method} ${route.template} declares ${Object.keys(operation.responses).join(', ')}, not ${status}` +
          ` (answer: ${text.slice(0, 300)})`,
      );
    }
    const json = declared.content?.['application/json'];
    if (!declared.content) {
      if (text !== '') throw new Error(`contract: ${what}: declared without a body, got ${text.slice(0, 200)}`);
      return;
    }
    if (!json) return; // not JSON (the docs page): its content type is checked by its own suite
    schema = resolve(json.schema, errorSchema);
  }
  if (!contentType?.startsWith('application/json')) throw new Error(`contract: ${what}: content-type ${contentType}, not application/json`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`contract: ${what}: the body is not JSON: ${text.slice(0, 200)}`);
  }
  const validate = validatorFor(ajv, schema);
  if (!validate(body)) {
    throw new Error(
      `contract: ${what}: the body does not match the description: ${ajv.errorsText(validate.errors)}; body ${text.slice(0, 300)}`,
    );
  }
}
