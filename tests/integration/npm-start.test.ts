/**
 * `npm start` as a user runs it: a child process that prints a ready line, passes a `--param` on to the template,
 * serves the seed catalog, keeps its data across a restart without resetting or duplicating stock (and the messages
 * still queued, after a Ctrl-C and after a hard kill alike), on Ctrl-C (SIGINT) stops
 * everything it started (every port it opened is free again), and after a hard kill (SIGKILL, which its
 * children in their own process groups survive) the next start stops those leftovers and comes up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { GetQueueAttributesCommand, GetQueueUrlCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, expect, it } from 'vitest';
import { DEFAULT_PORTS, LOCAL_CREDENTIALS } from '../../local/stack.js';
import { describeLocal } from '../support/env.js';
import { TEST_ESBUILD_FOLDER } from '../support/ports.js';

const ROOT = resolve(import.meta.dirname, '../..');
const OFFSET = 500 + Number(process.env.TEST_PORT_OFFSET ?? 0);
const ports = Object.values(DEFAULT_PORTS).map((p) => p + OFFSET);
/** DynamoDB Local itself, behind the DynamoDB endpoint: it has no host option and binds every interface. */
const dynamoDbLocalPort = DEFAULT_PORTS.dynamodb + 1 + OFFSET;
const base = `http://127.0.0.1:${DEFAULT_PORTS.http + OFFSET}`;

const running = new Set<ChildProcess>();

function startCli(dataDir: string, extraArgs: string[] = []): { child: ChildProcess; output: string[]; ready: Promise<void> } {
  // The test stacks' bundles are reused (a user's first start bundles everything; that is not what this tests).
  const args = ['--port-offset', String(OFFSET), '--data-dir', dataDir, '--esbuild-folder', TEST_ESBUILD_FOLDER, ...extraArgs];
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const output: string[] = [];
  const ready = new Promise<void>((resolveReady, reject) => {
    child.stdout?.on('data', (data: Buffer) => {
      output.push(data.toString());
      if (output.join('').includes('Ready. Press Ctrl-C to stop.')) resolveReady();
    });
    child.stderr?.on('data', (data: Buffer) => output.push(data.toString()));
    child.once('exit', (code) => reject(new Error(`npm start exited early (${code}):\n${output.join('')}`)));
  });
  return { child, output, ready };
}

async function stopWithCtrlC(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  child.kill('SIGINT');
  return exited;
}

const portIsFree = (port: number, host: string) =>
  new Promise<boolean>((done) => {
    const probe = createServer();
    probe.once('error', () => done(false));
    probe.listen(port, host, () => probe.close(() => done(true)));
  });

describeLocal('npm start (local/start.ts)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ecommerce-start-'));
  afterEach(async () => {
    // A test that failed half-way must not leave a stack holding the ports of the next one.
    await Promise.all([...running].map((child) => stopWithCtrlC(child)));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('serves, persists across a restart without resetting stock or losing a queued message, and leaves nothing running on Ctrl-C', async () => {
    // A stage param, as a user shortens the grace period: it reaches the template (the payment-due queue's delay).
    const param = ['--param', 'paymentGraceSeconds=5'];
    const first = startCli(dataDir, param);
    await first.ready;
    expect(first.output.join('')).toContain(`API base URL: ${base}`);
    expect(first.output.join('')).toContain('Stage params: paymentGraceSeconds=5');
    const sqs = new SQSClient({
      endpoint: `http://127.0.0.1:${DEFAULT_PORTS.sqs + OFFSET}`,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
    });
    const queueUrl = async (name: string) => (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl as string;
    const due = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: await queueUrl('ecommerce-local-orders-payment-due'), AttributeNames: ['DelaySeconds'] }),
    );
    expect(due.Attributes?.DelaySeconds).toBe('5');
    // A message in a queue nothing consumes (a DLQ): a stop and a crash must not lose it.
    await sqs.send(
      new SendMessageCommand({ QueueUrl: await queueUrl('ecommerce-local-orders-inbox-dlq'), MessageBody: 'kept across restarts' }),
    );
    const queued = async () => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: await queueUrl('ecommerce-local-orders-inbox-dlq'),
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 0,
        }),
      );
      // With no visibility timeout the emulator may hand one message out twice in a receive: one per id.
      return [...new Map(Messages.map((m) => [m.MessageId, m.Body])).values()];
    };
    const seeded = (await (await fetch(`${base}/catalogs`)).json()) as { items: unknown[] };
    expect(seeded.items).toHaveLength(3);

    // Change the stock behind the API's back, as orders would.
    const db = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: `http://127.0.0.1:${DEFAULT_PORTS.dynamodb + OFFSET}`,
        region: 'us-east-1',
        credentials: LOCAL_CREDENTIALS,
      }),
    );
    await db.send(
      new UpdateCommand({
        TableName: 'ecommerce-local-catalogs',
        Key: { pk: 'PRODUCT#CATALOG-001', sk: 'PRODUCT' },
        UpdateExpression: 'SET stock = :s',
        ExpressionAttributeValues: { ':s': 42 },
      }),
    );
    db.destroy();

    expect(await stopWithCtrlC(first.child)).toBe(0);
    for (const port of ports) expect(await portIsFree(port, '127.0.0.1'), `port ${port}`).toBe(true);
    expect(await portIsFree(dynamoDbLocalPort, '0.0.0.0'), `port ${dynamoDbLocalPort}`).toBe(true);

    const stockOf = async (productId: string) => {
      const after = (await (await fetch(`${base}/catalogs`)).json()) as { items: Array<{ productId: string; stock: number }> };
      expect(after.items).toHaveLength(3);
      return after.items.find((i) => i.productId === productId)?.stock;
    };
    const second = startCli(dataDir, param);
    await second.ready;
    expect(await queued()).toEqual(['kept across restarts']);
    expect(second.output.join('')).toContain('"existing":["CATALOG-001","CATALOG-002","CATALOG-003"]');
    // Nothing changed between the two starts: the second reuses the first one's package.
    expect(second.output.join('')).toContain('Reusing the compiled template');
    expect(await stockOf('CATALOG-001')).toBe(42);

    // A hard kill: DynamoDB Local and serverless offline, in process groups of their own, keep running.
    const killed = new Promise((done) => second.child.once('exit', done));
    second.child.kill('SIGKILL');
    await killed;
    expect(await portIsFree(dynamoDbLocalPort, '0.0.0.0')).toBe(false);

    const third = startCli(dataDir, param);
    try {
      await third.ready;
      expect(await queued()).toEqual(['kept across restarts']);
      expect(third.output.join('')).toMatch(/Stopped DynamoDB Local \(PID \d+\), left running by a previous start/);
      expect(await stockOf('CATALOG-001')).toBe(42);
    } finally {
      expect(await stopWithCtrlC(third.child)).toBe(0);
    }
    sqs.destroy();
    for (const port of ports) expect(await portIsFree(port, '127.0.0.1'), `port ${port}`).toBe(true);
    expect(await portIsFree(dynamoDbLocalPort, '0.0.0.0'), `port ${dynamoDbLocalPort}`).toBe(true);
  }, 600_000); // three full start-ups; on a busy 2-core machine each can take over a minute

  it('refuses a --param that is not key=value with a usage message, before starting anything', async () => {
    const cli = startCli(dataDir, ['--param', 'paymentGraceSeconds']);
    const code = await new Promise<number | null>((done) => cli.child.once('exit', (c) => done(c)));
    cli.ready.catch(() => undefined);
    const text = cli.output.join('');
    expect(code).toBe(2);
    expect(text).toContain('--param takes key=value');
    expect(text).not.toContain('Compiling');
    expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);
  }, 60_000);

  it('refuses to start on a busy port with a clear message and no stack trace', async () => {
    const blocker = createServer();
    await new Promise<void>((done) => blocker.listen(DEFAULT_PORTS.sqs + OFFSET, '127.0.0.1', () => done()));
    try {
      const cli = startCli(dataDir);
      const code = await new Promise<number | null>((done) => cli.child.once('exit', (c) => done(c)));
      cli.ready.catch(() => undefined);
      const text = cli.output.join('');
      expect(code).toBe(1);
      expect(text).toContain(`Port ${DEFAULT_PORTS.sqs + OFFSET} (SQS emulator) is already in use`);
      expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);
      for (const port of ports)
        if (port !== DEFAULT_PORTS.sqs + OFFSET) expect(await portIsFree(port, '127.0.0.1'), `port ${port}`).toBe(true);
    } finally {
      blocker.close();
    }
  }, 120_000);
});
