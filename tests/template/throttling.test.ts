/**
 * The gateway's method throttling of the credential routes, sized per route (functions/users/README.md,
 * "Throttling at the gateway"): POST /token/refresh for the population every access-token lifetime brings
 * back (N active users refresh N / tokenTtlSeconds times a second), log-in and sign-up tight. Read off the
 * stage the deployment makes (stage dev), with the lifetime the refresh function issues.
 */
import { beforeAll, expect, it } from 'vitest';
import type { CfnTemplate } from '../../local/cloudformation.js';
import { PACKAGED_STAGES } from './stages.js';
import { templateOf } from './templates.js';

/** The population serverless.yml sizes refresh for (params refreshRateLimit and refreshBurstLimit). */
const ACTIVE_USERS = 100_000;
/** Log-in and sign-up: each costs a password hash and is what a guesser wants. */
const TIGHT_RATE = 20;

interface MethodSetting {
  HttpMethod: string;
  ResourcePath: string;
  ThrottlingRateLimit: number;
  ThrottlingBurstLimit: number;
}

let settings: Map<string, MethodSetting>;
let tokenTtlSeconds: number;
beforeAll(async () => {
  const template: CfnTemplate = await templateOf(PACKAGED_STAGES.find((stage) => stage.name === 'dev') as (typeof PACKAGED_STAGES)[number]);
  const [deployment] = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::ApiGateway::Deployment');
  const methodSettings =
    (deployment?.Properties?.StageDescription as { MethodSettings?: MethodSetting[] } | undefined)?.MethodSettings ?? [];
  settings = new Map(
    methodSettings.map((setting) => [`${setting.HttpMethod} ${setting.ResourcePath.slice(1).replaceAll('~1', '/')}`, setting]),
  );
  const refresh = Object.values(template.Resources).find(
    (resource) => resource.Type === 'AWS::Lambda::Function' && String(resource.Properties?.FunctionName).endsWith('-refreshToken'),
  );
  tokenTtlSeconds = Number((refresh?.Properties?.Environment as { Variables: Record<string, string> }).Variables.JWT_TTL_SECONDS);
});

it('throttles log-in, sign-up and refresh, each with limits of its own', () => {
  expect([...settings.keys()].sort()).toEqual(['POST /login', 'POST /token/refresh', 'POST /users']);
});

it(`lets ${ACTIVE_USERS.toLocaleString('en')} active users refresh: N / tokenTtlSeconds a second, with room for a burst`, () => {
  const refresh = settings.get('POST /token/refresh') as MethodSetting;
  const steady = ACTIVE_USERS / tokenTtlSeconds;
  console.log(
    `refresh: ${ACTIVE_USERS} users / ${tokenTtlSeconds} s = ${steady.toFixed(0)}/s; the stage allows ${refresh.ThrottlingRateLimit}/s, burst ${refresh.ThrottlingBurstLimit}`,
  );
  expect(refresh.ThrottlingRateLimit).toBeGreaterThanOrEqual(2 * steady);
  expect(refresh.ThrottlingBurstLimit).toBeGreaterThanOrEqual(refresh.ThrottlingRateLimit);
});

it.each(['POST /login', 'POST /users'])(`keeps %s tight (at most ${TIGHT_RATE}/s): per-client limits are a WAF's`, (route) => {
  const setting = settings.get(route) as MethodSetting;
  expect(setting.ThrottlingRateLimit).toBeLessThanOrEqual(TIGHT_RATE);
  expect(setting.ThrottlingBurstLimit).toBeLessThanOrEqual(2 * TIGHT_RATE);
  expect(setting.ThrottlingRateLimit).toBeLessThan((settings.get('POST /token/refresh') as MethodSetting).ThrottlingRateLimit);
});
