// The ECR skip on LocalStack stages, through the real `serverless remove` (3.40) and serverless-localstack, against
// a stub of LocalStack on 127.0.0.1 that answers ECR as LocalStack community does (501 InternalFailure), STS and the
// CloudFormation calls a remove makes. With the plugin the remove never asks ECR and gets through; without it, the
// remove fails on ECR's 501 (the failure `npm run remove:localstack` met), though it deleted the stack meanwhile:
// Serverless starts the check beside the removal and awaits it last.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { declaredImages, skipEcrCheck } from './localstack-remove-without-ecr.mjs';

const PLUGIN = resolve('scripts/serverless-plugins/localstack-remove-without-ecr.mjs');
const SERVERLESS = resolve('node_modules/serverless/bin/serverless.js');
const SERVICE = 'ecr-probe';
const STACK = `${SERVICE}-localstack`;

// ---------------------------------------------------------------------------------------------------------
// The stub: routes by the credential scope's service, as LocalStack does; records each call as `service.Action`.

const calls: string[] = [];
const CFN = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
const cfnError = (message: string) =>
  `<ErrorResponse xmlns="${CFN}"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>${message}</Message></Error><RequestId>stub</RequestId></ErrorResponse>`;

function answer(service: string, action: string): [number, string, string] {
  const xml = 'text/xml';
  switch (`${service}.${action}`) {
    case 'sts.GetCallerIdentity':
      return [
        200,
        xml,
        '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::000000000000:root</Arn><UserId>000000000000</UserId><Account>000000000000</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>stub</RequestId></ResponseMetadata></GetCallerIdentityResponse>',
      ];
    case 'cloudformation.DescribeStackResource':
      return [400, xml, cfnError(`Resource ServerlessDeploymentBucket does not exist for stack ${STACK}`)];
    case 'cloudformation.DeleteStack':
      return [
        200,
        xml,
        `<DeleteStackResponse xmlns="${CFN}"><ResponseMetadata><RequestId>stub</RequestId></ResponseMetadata></DeleteStackResponse>`,
      ];
    case 'cloudformation.DescribeStackEvents':
      return [400, xml, cfnError(`Stack with id ${STACK} does not exist`)];
  }
  if (service === 'ecr') {
    // LocalStack's answer for a service it does not serve (aws/handlers/service.py): 501 InternalFailure.
    return [
      501,
      'application/x-amz-json-1.1',
      JSON.stringify({
        __type: 'InternalFailure',
        message: `The API for service 'ecr' is either not included in your current license plan or has not yet been emulated by LocalStack.`,
      }),
    ];
  }
  return [400, 'application/json', JSON.stringify({ __type: 'StubUnexpected', message: `the stub does not answer ${service}.${action}` })];
}

async function actionOf(req: IncomingMessage, service: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') return target.split('.').pop() ?? target;
  return new URLSearchParams(body).get('Action') ?? `${req.method} ${req.url} (${service})`;
}

let server: Server;
let port = 0;
let root = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    const service = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? 'unknown';
    void actionOf(req, service).then((action) => {
      calls.push(`${service}.${action}`);
      const [status, type, body] = answer(service, action);
      res.writeHead(status, { 'content-type': type, 'x-amzn-requestid': 'stub' }).end(body);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  port = (server.address() as AddressInfo).port;
  root = mkdtempSync(join(tmpdir(), 'remove-without-ecr-'));
});

afterAll(async () => {
  await new Promise((done) => server.close(done));
  rmSync(root, { recursive: true, force: true });
});

beforeEach(() => void calls.splice(0));

// ---------------------------------------------------------------------------------------------------------
// A service configured as serverless.yml configures the localstack stage, with or without the plugin.

function service(withPlugin: boolean): string {
  const dir = mkdtempSync(join(root, withPlugin ? 'with-' : 'without-'));
  // Listed as serverless.yml lists it: a `./` path inside the service (an absolute one is loaded another way).
  symlinkSync(PLUGIN, join(dir, 'localstack-remove-without-ecr.mjs'));
  writeFileSync(
    join(dir, 'serverless.yml'),
    [
      `service: ${SERVICE}`,
      "frameworkVersion: '3'",
      'provider: { name: aws, runtime: nodejs20.x, region: us-east-1 }',
      'plugins:',
      '  - serverless-localstack',
      ...(withPlugin ? ['  - ./localstack-remove-without-ecr.mjs'] : []),
      'custom:',
      `  localstack: { stages: [localstack], host: 'http://127.0.0.1', edgePort: ${port}, autostart: false }`,
      'functions:',
      '  hello: { handler: handler.hello }',
      '',
    ].join('\n'),
  );
  return dir;
}

interface Run {
  code: number;
  output: string;
}

/** `serverless remove --stage <stage>` in `dir`, with nothing of this machine's AWS set-up (fresh HOME, fake keys). */
function remove(dir: string, stage = 'localstack'): Promise<Run> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    // Serverless retries a 5xx four times, about 5 s apart, before it gives up; the outcome is the same at once.
    SLS_AWS_REQUEST_MAX_RETRIES: '0',
    SLS_AWS_MONITORING_FREQUENCY: '50',
  };
  return new Promise((done) => {
    execFile(
      process.execPath,
      [SERVERLESS, 'remove', '--stage', stage, '--verbose'],
      { cwd: dir, env, timeout: 90_000 },
      (error, stdout, stderr) =>
        done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: `${stdout}\n${stderr}` }),
    );
  });
}

describe('serverless remove on a LocalStack stage whose ECR answers 501', () => {
  it('with the plugin: skips the ECR check and removes the stack', { timeout: 120_000 }, async () => {
    const run = await remove(service(true));
    expect(run.output).toContain('ECR repository check skipped');
    expect(run.code, run.output).toBe(0);
    expect(calls.filter((call) => call.startsWith('ecr.'))).toEqual([]);
    expect(calls).toContain('cloudformation.DeleteStack');
    expect(calls).toContain('cloudformation.DescribeStackEvents');
    expect(run.output).toMatch(/successfully removed/);
  });

  it('without it: fails on ECR DescribeRepositories', { timeout: 120_000 }, async () => {
    const run = await remove(service(false));
    expect(calls).toContain('ecr.DescribeRepositories');
    expect(run.code, run.output).not.toBe(0);
    expect(run.output).toContain("The API for service 'ecr'");
    expect(run.output).not.toMatch(/successfully removed/);
  });
});

describe('what the plugin leaves alone', () => {
  const remover = { constructor: { name: 'AwsRemove' }, checkIfEcrRepositoryExists: async () => true };
  const serverless = (service: Record<string, unknown>) => ({
    service: { custom: { localstack: { stages: ['localstack'] } }, provider: {}, functions: {}, ...service },
    pluginManager: { plugins: [{ ...remover }] },
  });
  const check = (sls: ReturnType<typeof serverless>) => (sls.pluginManager.plugins[0] as typeof remover).checkIfEcrRepositoryExists;

  it('another stage (AWS) keeps the check', () => {
    const sls = serverless({});
    expect(skipEcrCheck(sls, 'dev')).toMatch(/not a LocalStack stage/);
    expect(check(sls)).toBe(remover.checkIfEcrRepositoryExists);
  });

  it('a service with images keeps the check, so a repository is not left behind', () => {
    const sls = serverless({ provider: { ecr: { images: { app: { path: '.' } } } }, functions: { web: { image: 'app' } } });
    expect(declaredImages(sls.service)).toEqual(['app', 'function web']);
    expect(skipEcrCheck(sls, 'localstack')).toMatch(/images declared/);
    expect(check(sls)).toBe(remover.checkIfEcrRepositoryExists);
  });

  it('a Serverless without the check where 3.40 has it fails loudly', () => {
    const sls = { ...serverless({}), pluginManager: { plugins: [] } };
    expect(() => skipEcrCheck(sls, 'localstack')).toThrow(/checkIfEcrRepositoryExists/);
  });
});
