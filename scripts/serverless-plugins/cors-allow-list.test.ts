// The CORS plugin on a small compiled template: preflight methods, the deployment's order, gateway responses.
import { describe, expect, it } from 'vitest';
import { addCors, allowedOrigins } from './cors-allow-list.mjs';

type Resource = { Type: string; Properties: Record<string, any>; DependsOn?: string[] };

const template = (): Record<string, Resource> => ({
  ApiGatewayResourceLogin: { Type: 'AWS::ApiGateway::Resource', Properties: { PathPart: 'login' } },
  ApiGatewayMethodLoginPost: {
    Type: 'AWS::ApiGateway::Method',
    Properties: { HttpMethod: 'POST', ResourceId: { Ref: 'ApiGatewayResourceLogin' }, RestApiId: { Ref: 'ApiGatewayRestApi' } },
  },
  ApiGatewayMethodLoginGet: {
    Type: 'AWS::ApiGateway::Method',
    Properties: { HttpMethod: 'GET', ResourceId: { Ref: 'ApiGatewayResourceLogin' }, RestApiId: { Ref: 'ApiGatewayRestApi' } },
  },
  ApiGatewayDeployment1: { Type: 'AWS::ApiGateway::Deployment', Properties: {}, DependsOn: ['ApiGatewayMethodLoginPost'] },
  NotFound: { Type: 'AWS::ApiGateway::GatewayResponse', Properties: { ResponseType: 'MISSING_AUTHENTICATION_TOKEN' } },
});

describe('CORS allow-list plugin', () => {
  it('changes nothing without origins', () => {
    const resources = template();
    addCors(resources, []);
    expect(resources).toEqual(template());
  });

  it('adds one preflight per resource that echoes only listed origins, and orders the deployment after it', () => {
    const resources = template();
    addCors(resources, ['https://shop.example.com', 'http://localhost:5173']);
    const options = resources.ApiGatewayMethodApiGatewayResourceLoginCorsOptions;
    expect(options?.Properties).toMatchObject({
      HttpMethod: 'OPTIONS',
      AuthorizationType: 'NONE',
      ResourceId: { Ref: 'ApiGatewayResourceLogin' },
    });
    const [response] = options?.Properties.Integration.IntegrationResponses ?? [];
    // Every CORS header is set inside the template's #if on the listed origins: a refused origin gets none.
    expect(response.ResponseParameters).toEqual({ 'method.response.header.Vary': "'Origin'" });
    const vtl = String(response.ResponseTemplates['application/json']);
    expect(vtl).toContain('#set($allowed = ["https://shop.example.com","http://localhost:5173"])');
    const guarded = vtl.slice(vtl.indexOf('#if($allowed.contains($origin))'), vtl.lastIndexOf('#end'));
    for (const line of [
      '#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)',
      "#set($context.responseOverride.header.Access-Control-Allow-Methods = 'GET,OPTIONS,POST')",
      "#set($context.responseOverride.header.Access-Control-Allow-Headers = 'Authorization,Content-Type,Idempotency-Key,x-correlation-id')",
      "#set($context.responseOverride.header.Access-Control-Max-Age = '600')",
    ])
      expect(guarded).toContain(line);
    expect(resources.ApiGatewayDeployment1?.DependsOn).toEqual([
      'ApiGatewayMethodLoginPost',
      'ApiGatewayMethodApiGatewayResourceLoginCorsOptions',
    ]);
    expect(resources.NotFound?.Properties.ResponseParameters).toBeUndefined(); // several origins: no fixed header on gateway errors
  });

  it('with one origin, names it on gateway-made errors', () => {
    const resources = template();
    addCors(resources, ['https://shop.example.com']);
    expect(resources.NotFound?.Properties.ResponseParameters).toEqual({
      'gatewayresponse.header.Access-Control-Allow-Origin': "'https://shop.example.com'",
      'gatewayresponse.header.Vary': "'Origin'",
    });
  });

  it('reads the param strictly: exact origins only', () => {
    expect(allowedOrigins('')).toEqual([]);
    expect(allowedOrigins(' https://a.example , http://localhost:5173 ')).toEqual(['https://a.example', 'http://localhost:5173']);
    for (const bad of ['*', 'https://a.example/', 'a.example', 'https://a.example/path', 'https://"x"'])
      expect(() => allowedOrigins(bad), bad).toThrow(/not an origin/);
  });
});
