/**
 * Moves messages from dead-letter queues back to the queues they came from, for reprocessing
 * once the cause is fixed. Which DLQ feeds which queue is read from the compiled template
 * (.serverless/cloudformation-template-update-stack.json, written by `npm start` or
 * `npx serverless package --stage <stage>`), so it works the same locally and on AWS.
 *
 *   npm run redrive                      # every DLQ of the last packaged stage, all messages
 *   npm run redrive -- --dlq <name> --max 10
 *
 * Locally it talks to the SQS emulator (http://127.0.0.1:9324 unless AWS_ENDPOINT_URL_SQS says
 * otherwise); on AWS it uses your normal credentials and region.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DeleteMessageBatchCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { loadTemplate, localStackModel } from '../local/cloudformation.js';

export async function redrive(sqs: SQSClient, dlqUrl: string, targetUrl: string, max: number): Promise<number> {
  let moved = 0;
  while (moved < max) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlqUrl,
        MaxNumberOfMessages: Math.min(10, max - moved),
        WaitTimeSeconds: 1,
        VisibilityTimeout: 60,
        MessageAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) break;
    const entries = Messages.map((m, i) => ({ Id: String(i), MessageBody: m.Body ?? '', MessageAttributes: m.MessageAttributes }));
    const sent = await sqs.send(new SendMessageBatchCommand({ QueueUrl: targetUrl, Entries: entries }));
    const sentIds = new Set((sent.Successful ?? []).map((s) => s.Id));
    // Delete only what reached the target: a failed send stays in the DLQ (and reappears after 60 s).
    const toDelete = Messages.filter((_, i) => sentIds.has(String(i)));
    if (toDelete.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: dlqUrl,
          Entries: toDelete.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
    moved += toDelete.length;
    if (toDelete.length < Messages.length)
      throw new Error(`${Messages.length - toDelete.length} message(s) could not be sent to ${targetUrl}`);
  }
  return moved;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { dlq: { type: 'string' }, max: { type: 'string', default: '1000000' }, stage: { type: 'string' } },
  });
  const root = resolve(import.meta.dirname, '..');
  const template = await loadTemplate(join(root, '.serverless', 'cloudformation-template-update-stack.json'));
  const pairs = localStackModel(template)
    .queues.filter((q) => q.redrive && (!values.dlq || q.redrive.deadLetterQueueName === values.dlq))
    .map((q) => ({ source: q.name, dlq: q.redrive?.deadLetterQueueName as string }));
  if (pairs.length === 0)
    throw new Error(values.dlq ? `No queue in the template sends its failures to ${values.dlq}` : 'The template has no queues with DLQs');
  const local = (values.stage ?? 'local') === 'local' && !process.env.AWS_PROFILE;
  const sqs = new SQSClient(
    local
      ? {
          endpoint: process.env.AWS_ENDPOINT_URL_SQS ?? 'http://127.0.0.1:9324',
          region: 'us-east-1',
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }
      : {},
  );
  for (const { source, dlq } of pairs) {
    const [dlqUrl, targetUrl] = await Promise.all(
      [dlq, source].map(async (name) => (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl as string),
    );
    const moved = await redrive(sqs, dlqUrl as string, targetUrl as string, Number(values.max));
    console.log(`${dlq} -> ${source}: moved ${moved} message(s)`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  main().catch((error: unknown) => {
    console.error(`redrive failed: ${(error as Error).message}`);
    process.exit(1);
  });
}
