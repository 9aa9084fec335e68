/**
 * docs/http-api.md, "Authorizer modes": on every stage, every protected route is checked by exactly one of the
 * gateway's Lambda authorizer or the function itself, never neither. Read off each stage's compiled
 * template (what AWS or LocalStack would deploy), in both modes.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CfnResource, CfnTemplate } from '../../local/cloudformation.js';
import { allRoutes, apiDescription } from '../../functions/platform/api-description.js';
import { parseJwks } from '../../functions/shared/auth/jwks.js';
import { PACKAGED_STAGES } from './stages.js';
import { templateOf } from './templates.js';

/** The contract's public routes (docs/http-api.md, "Authentication"); every other route is protected. */
const PUBLIC_ROUTES = new Set([
  'GET /health',
  'GET /welcome',
  'POST /users',
  'POST /login',
  // The refresh token is the credential (functions/users/README.md, "Sessions"): no bearer.
  'POST /token/refresh',
  'GET /.well-known/jwks.json',
  'GET /catalogs',
  'GET /catalogs/{productId}',
  // The API's description and its docs page (docs/http-api.md, "Where the contract is").
  'GET /openapi.json',
  'GET /docs',
  'GET /docs/{asset}',
  // The events' description and their page.
  'GET /asyncapi.json',
  'GET /docs/events',
]);

const ROOT = resolve(import.meta.dirname, '..', '..');

interface Route {
  route: string;
  method: CfnResource;
  functionId: string;
}

function refOf(value: unknown): string | undefined {
  return (value as { Ref?: string } | undefined)?.Ref;
}

/** The Lambda function a `Fn::Join` invocation URI (an integration's or an authorizer's) points at. */
function invokedFunction(uri: unknown): string | undefined {
  const parts = (uri as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join']?.[1] ?? [];
  for (const part of parts) {
    const getAtt = (part as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
    if (getAtt) return getAtt[0];
  }
  return undefined;
}

function routesOf(template: CfnTemplate): Route[] {
  const resources = template.Resources;
  const pathOf = (resourceId: string | undefined): string => {
    if (!resourceId) return '';
    const resource = resources[resourceId];
    if (!resource) throw new Error(`no resource ${resourceId}`);
    return `${pathOf(refOf(resource.Properties?.ParentId))}/${String(resource.Properties?.PathPart)}`;
  };
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::ApiGateway::Method' && r.Properties?.HttpMethod !== 'OPTIONS')
    .map((method) => {
      const props = method.Properties as { HttpMethod: string; ResourceId: unknown; Integration?: { Uri?: unknown } };
      // The root resource is a GetAtt on the API, not a Ref to a Resource.
      const path = pathOf(refOf(props.ResourceId)) || '/';
      const functionId = invokedFunction(props.Integration?.Uri);
      if (!functionId) throw new Error(`${props.HttpMethod} ${path} integrates no Lambda function`);
      return { route: `${props.HttpMethod} ${path}`, method, functionId };
    });
}

const environmentOf = (template: CfnTemplate, functionId: string): Record<string, unknown> =>
  (template.Resources[functionId]?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};

/**
 * The handler spreads its route contract into httpHandler (`...routes.<name>.request`), and that
 * contract, for this method and path, is behind the token check (`auth: 'required'`).
 */
function handlerRequiresAuth(template: CfnTemplate, functionId: string, route: string): boolean {
  const handler = String(template.Resources[functionId]?.Properties?.Handler);
  const source = readFileSync(resolve(ROOT, `${handler.replace(/\.[^.]+$/, '')}.ts`), 'utf8');
  const name = /\.\.\.routes\.(\w+)\.request/.exec(source)?.[1];
  const contract = name ? allRoutes[name] : undefined;
  if (!contract || `${contract.method} ${contract.path}` !== route)
    throw new Error(`${route}: ${handler} does not spread its route contract`);
  return contract.request.auth === 'required';
}

describe.each(PACKAGED_STAGES)('stage $name ($authorizerMode authorizer mode)', (stage) => {
  let template: CfnTemplate;
  let routes: Route[];
  beforeAll(async () => {
    template = await templateOf(stage);
    routes = routesOf(template);
  });

  it('has every route of the contract, public ones open', () => {
    const names = routes.map((r) => r.route);
    for (const publicRoute of PUBLIC_ROUTES) expect(names).toContain(publicRoute);
    for (const { route, method } of routes.filter((r) => PUBLIC_ROUTES.has(r.route))) {
      expect(method.Properties?.AuthorizationType, route).toBe('NONE');
    }
    expect(routes.filter((r) => !PUBLIC_ROUTES.has(r.route)).length).toBeGreaterThanOrEqual(5);
  });

  it('is what the API description describes: the same operations, the same ones protected', () => {
    const described = apiDescription('/', 'test') as { paths: Record<string, Record<string, { security: unknown[] }>> };
    const operations = Object.entries(described.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => `${method.toUpperCase()} ${path}${op.security.length > 0 ? ' (bearer)' : ''}`),
    );
    const deployed = routes
      .filter(({ route }) => !route.startsWith('OPTIONS '))
      .map(({ route }) => `${route}${PUBLIC_ROUTES.has(route) ? '' : ' (bearer)'}`);
    expect(deployed.sort()).toEqual(operations.sort());
  });

  it('checks every protected route exactly once: at the gateway or in the function, never neither', () => {
    const authorizers = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::ApiGateway::Authorizer');
    for (const { route, method, functionId } of routes.filter((r) => !PUBLIC_ROUTES.has(r.route))) {
      const env = environmentOf(template, functionId);
      const atGateway = method.Properties?.AuthorizationType === 'CUSTOM';
      const inFunction = env.AUTHORIZER_MODE === 'function';
      expect({ route, atGateway, inFunction }).toEqual({ route, atGateway: !inFunction, inFunction: !atGateway });
      expect(atGateway ? 'gateway' : 'function', route).toBe(stage.authorizerMode);
      if (atGateway) {
        const authorizerId = refOf(method.Properties?.AuthorizerId);
        const authorizer = authorizers.find(([id]) => id === authorizerId)?.[1];
        expect(authorizer?.Properties?.Type, route).toBe('TOKEN');
        expect(invokedFunction(authorizer?.Properties?.AuthorizerUri), route).toBe('AuthorizerLambdaFunction');
      } else {
        // The function has what the verifier needs, and its handler asks for the check.
        expect(parseJwks(JSON.parse(String(env.JWT_PUBLIC_JWKS))).keys.length, route).toBeGreaterThan(0);
        for (const name of ['JWT_ISSUER', 'JWT_AUDIENCE', 'JWT_TTL_SECONDS']) expect(env[name], `${route} ${name}`).toBeTruthy();
      }
      expect(handlerRequiresAuth(template, functionId, route), `${route}: its route contract says auth: 'required'`).toBe(true);
    }
  });

  it('deploys an authorizer only where the gateway uses it', () => {
    const authorizers = Object.values(template.Resources).filter((r) => r.Type === 'AWS::ApiGateway::Authorizer');
    expect(authorizers.length).toBe(stage.authorizerMode === 'gateway' ? 1 : 0);
    const verifier = environmentOf(template, 'AuthorizerLambdaFunction');
    expect(parseJwks(JSON.parse(String(verifier.JWT_PUBLIC_JWKS))).keys.length).toBeGreaterThan(0);
  });
});
