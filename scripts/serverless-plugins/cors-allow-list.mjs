// Local Serverless plugin: CORS for an allow-list of origins (param corsAllowedOrigins, which reaches
// every function as CORS_ALLOWED_ORIGINS). The functions answer allowed origins themselves (httpHandler);
// this adds what only the gateway can: a preflight OPTIONS method per resource, and the header on
// gateway-made errors. Serverless's own `cors` setting is not used: it sends its first origin to every
// caller, and the contract says a refused origin gets no CORS headers at all.
// With no origins configured it changes nothing (no OPTIONS methods: OPTIONS is then an unknown method).
export const CORS_ALLOWED_HEADERS = 'Authorization,Content-Type,Idempotency-Key,x-correlation-id';
const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/;

export function allowedOrigins(value) {
  const origins = String(value ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  for (const origin of origins)
    if (!ORIGIN.test(origin)) throw new Error(`corsAllowedOrigins: '${origin}' is not an origin (scheme://host[:port])`);
  return origins;
}

const resourceKey = (resourceId) => JSON.stringify(resourceId);

export function addCors(resources, origins, log = () => undefined) {
  if (origins.length === 0) return;
  const methods = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::ApiGateway::Method');
  const byResource = new Map();
  for (const [, method] of methods) {
    const key = resourceKey(method.Properties.ResourceId);
    const entry = byResource.get(key) ?? {
      resourceId: method.Properties.ResourceId,
      restApiId: method.Properties.RestApiId,
      verbs: new Set(),
    };
    entry.verbs.add(method.Properties.HttpMethod);
    byResource.set(key, entry);
  }
  // The response template sets every CORS header, and only for a listed Origin (VTL, run by API Gateway):
  // a refused origin's preflight gets none.
  const list = origins.map((origin) => `"${origin}"`).join(',');
  const template = (headers) =>
    [
      `#set($allowed = [${list}])`,
      `#set($origin = $input.params().header.get('Origin'))`,
      `#if("$!origin" == "")#set($origin = $input.params().header.get('origin'))#end`,
      `#if($allowed.contains($origin))`,
      '#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)',
      ...Object.entries(headers).map(([name, value]) => `#set($context.responseOverride.header.${name} = '${value}')`),
      '#end',
    ].join('\n');
  const added = [];
  for (const { resourceId, restApiId, verbs } of byResource.values()) {
    if (verbs.has('OPTIONS')) continue;
    const id = `ApiGatewayMethod${resourceId.Ref ?? 'Root'}CorsOptions`;
    const headers = {
      'Access-Control-Allow-Methods': [...verbs, 'OPTIONS'].sort().join(','),
      'Access-Control-Allow-Headers': CORS_ALLOWED_HEADERS,
      'Access-Control-Max-Age': '600',
    };
    resources[id] = {
      Type: 'AWS::ApiGateway::Method',
      Properties: {
        RestApiId: restApiId,
        ResourceId: resourceId,
        HttpMethod: 'OPTIONS',
        AuthorizationType: 'NONE',
        Integration: {
          Type: 'MOCK',
          RequestTemplates: { 'application/json': '{"statusCode": 204}' },
          IntegrationResponses: [
            {
              StatusCode: '204',
              ResponseParameters: { 'method.response.header.Vary': "'Origin'" },
              ResponseTemplates: { 'application/json': template(headers) },
            },
          ],
        },
        MethodResponses: [
          {
            StatusCode: '204',
            ResponseParameters: Object.fromEntries(
              [...Object.keys(headers), 'Access-Control-Allow-Origin', 'Vary'].map((name) => [`method.response.header.${name}`, true]),
            ),
          },
        ],
      },
    };
    added.push(id);
  }
  // The deployment must come after the new methods, as after the others.
  for (const [, resource] of Object.entries(resources)) {
    if (resource.Type === 'AWS::ApiGateway::Deployment') resource.DependsOn = [...(resource.DependsOn ?? []), ...added];
  }
  // A gateway response cannot choose its headers by the request, so the origin goes on gateway-made
  // errors only when it is the one allowed (then a refused caller sees another origin named: refused all
  // the same by the browser). With several, those errors carry none (docs/http-api.md, "CORS").
  const gatewayResponses = Object.values(resources).filter((r) => r.Type === 'AWS::ApiGateway::GatewayResponse');
  if (origins.length === 1) {
    for (const response of gatewayResponses) {
      response.Properties.ResponseParameters = {
        ...response.Properties.ResponseParameters,
        'gatewayresponse.header.Access-Control-Allow-Origin': `'${origins[0]}'`,
        'gatewayresponse.header.Vary': "'Origin'",
      };
    }
  } else log(`CORS: ${origins.length} origins allowed; gateway-made errors carry no CORS header (one origin only)`);
}

export default class CorsAllowList {
  constructor(serverless, _options, { log } = {}) {
    // After the `resources:` are merged (the gateway responses are there), before the template is written.
    this.hooks = {
      'before:aws:package:finalize:saveServiceState': () =>
        addCors(
          serverless.service.provider.compiledCloudFormationTemplate.Resources,
          allowedOrigins(serverless.service.provider.environment?.CORS_ALLOWED_ORIGINS),
          (message) => log?.notice?.(message),
        ),
    };
  }
}
