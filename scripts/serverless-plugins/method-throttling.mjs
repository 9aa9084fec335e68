// Local Serverless plugin: per-method API Gateway throttling in the template. Serverless v3 has no
// setting for it (serverless/serverless#1183); the stage is made by the AWS::ApiGateway::Deployment it
// compiles (StageName), so the settings go into that resource's StageDescription.MethodSettings, where
// CloudFormation applies them to the stage. Reads custom.methodThrottling:
//   - { method: POST, path: /login, rateLimit: 10, burstLimit: 20 }
// Fails the packaging on a path or method no http event declares, so a renamed route cannot silently
// lose its limit.
export default class MethodThrottling {
  constructor(serverless) {
    this.hooks = { 'before:package:finalize': () => this.apply(serverless) };
  }

  apply(serverless) {
    const wanted = serverless.service.custom?.methodThrottling ?? [];
    if (wanted.length === 0) return;
    const resources = serverless.service.provider.compiledCloudFormationTemplate.Resources;
    const deployment = Object.values(resources).find((resource) => resource.Type === 'AWS::ApiGateway::Deployment');
    if (!deployment) throw new Error('custom.methodThrottling: the template has no API Gateway deployment');

    const declared = new Set(
      Object.values(serverless.service.functions ?? {}).flatMap((fn) =>
        (fn.events ?? []).filter((event) => event.http).map(({ http }) => `${http.method.toUpperCase()} /${http.path.replace(/^\//, '')}`),
      ),
    );
    const methodSettings = wanted.map(({ method, path, rateLimit, burstLimit }) => {
      const route = `${String(method).toUpperCase()} ${path}`;
      if (!declared.has(route)) throw new Error(`custom.methodThrottling: no http event declares ${route}`);
      const rate = Number(rateLimit);
      const burst = Number(burstLimit);
      if (!(rate > 0) || !Number.isInteger(burst) || burst < 1)
        throw new Error(`custom.methodThrottling: ${route} needs rateLimit > 0 and a whole burstLimit >= 1`);
      // A method setting's resource path escapes each '/' as '~1' (API Gateway's JSON-pointer style).
      return {
        HttpMethod: String(method).toUpperCase(),
        ResourcePath: `/${path.replaceAll('/', '~1')}`,
        ThrottlingRateLimit: rate,
        ThrottlingBurstLimit: burst,
      };
    });
    // The stage's tracing as provider.tracing says (Serverless also sets it after a deploy), so the two never disagree.
    const TracingEnabled = Boolean(serverless.service.provider.tracing?.apiGateway);
    deployment.Properties.StageDescription = { ...deployment.Properties.StageDescription, TracingEnabled, MethodSettings: methodSettings };
  }
}
