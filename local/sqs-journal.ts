/**
 * The SQS emulator's messages, kept on disk (`<data dir>/sqs-messages.jsonl`), so a stack that is killed (SIGKILL,
 * an out-of-memory kill, a closed terminal) loses no queued message: SQS is durable on AWS, and what a crash of the
 * local stack should lose is what a crash on AWS loses (an invocation half done), not the queues. Without it, a
 * message in flight when the stack died (a cancellation retried while its charge was being recorded, an answer
 * waiting in a queue) was gone, and nothing that reads the tables alone could tell.
 *
 * It watches the emulator's traffic (local/sqs-emulator.ts): a send appends the message, a delete appends its
 * removal, a receive from a dead-letter queue its move there, a purge the queue's. On the next start, once the template's queues exist, `restore` sends every message
 * not deleted to its queue again, with what is left of its delay. Not kept, as simplifications: a message's receive
 * count (a restored message starts again at 1), and a move to a dead-letter queue inside the emulator until the message
 * is received there (until then it is restored to the queue it was sent to, and fails its way back). Appends are synchronous writes: once
 * a send is answered its line is in the file (the operating system's, which outlives the process).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SendMessageBatchCommand, type MessageAttributeValue, type SQSClient } from '@aws-sdk/client-sqs';

/** A message as it was sent, enough to send it again. */
export interface JournalMessage {
  queue: string;
  id: string;
  body: string;
  /** Epoch ms before which it is not to be received (its delay). */
  visibleAt: number;
  attributes?: Record<string, MessageAttributeValue>;
  traceHeader?: string;
}

type Entry =
  | ({ op: 'send' } & JournalMessage)
  | { op: 'delete'; id: string }
  | { op: 'move'; id: string; queue: string }
  | { op: 'purge'; queue: string };

/** Appended lines past which the file is rewritten with the live messages only. */
const COMPACT_AFTER_LINES = 20_000;

export class SqsJournal {
  private readonly live = new Map<string, JournalMessage>();
  private lines = 0;

  constructor(private readonly file: string) {}

  /** The messages the file holds that were not deleted (or purged), in the order they were sent. */
  static read(file: string): JournalMessage[] {
    if (!existsSync(file)) return [];
    const live = new Map<string, JournalMessage>();
    const purge = (queue: string) => {
      for (const [id, message] of live) if (message.queue === queue) live.delete(id);
    };
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      let entry: Entry;
      try {
        entry = JSON.parse(line) as Entry;
      } catch {
        continue; // an empty line, or the last one cut short by the crash: its send was never answered
      }
      if (entry.op === 'send') live.set(entry.id, withoutOp(entry));
      else if (entry.op === 'delete') live.delete(entry.id);
      else if (entry.op === 'move') {
        const message = live.get(entry.id);
        if (message) live.set(entry.id, { ...message, queue: entry.queue });
      } else purge(entry.queue);
    }
    return [...live.values()];
  }

  sent(message: JournalMessage): void {
    this.live.set(message.id, message);
    this.append({ op: 'send', ...message });
  }

  /** Message ids are unique across queues, and a message moved to its dead-letter queue keeps its id. */
  deleted(id: string): void {
    if (!this.live.delete(id)) return;
    this.append({ op: 'delete', id });
  }

  /** Received from a queue it was not sent to: the emulator moved it to that dead-letter queue. */
  received(queue: string, id: string): void {
    const message = this.live.get(id);
    if (!message || message.queue === queue) return;
    this.live.set(id, { ...message, queue });
    this.append({ op: 'move', id, queue });
  }

  purged(queue: string): void {
    for (const [id, message] of this.live) if (message.queue === queue) this.live.delete(id);
    this.append({ op: 'purge', queue });
  }

  /**
   * Sends the messages a previous run left in the file to their queues again (through the emulator, which journals
   * them anew), once the queues exist; returns how many. A queue the template no longer has is skipped.
   */
  async restore(sqs: SQSClient, queueUrls: Map<string, string>, now = Date.now()): Promise<number> {
    // Sent again before the file is rewritten: a crash in between restores some twice (at least once, as SQS), none never.
    const previous = SqsJournal.read(this.file);
    let restored = 0;
    for (const [queue, messages] of groupBy(previous, (message) => message.queue)) {
      const queueUrl = queueUrls.get(queue);
      if (!queueUrl) continue;
      for (let i = 0; i < messages.length; i += 10) {
        const batch = messages.slice(i, i + 10);
        const result = await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: batch.map((message, index) => ({
              Id: String(index),
              MessageBody: message.body,
              DelaySeconds: Math.min(900, Math.max(0, Math.ceil((message.visibleAt - now) / 1000))),
              ...(message.attributes ? { MessageAttributes: message.attributes } : {}),
              ...(message.traceHeader
                ? { MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: message.traceHeader } } }
                : {}),
            })),
          }),
        );
        if (result.Failed?.length) throw new Error(`could not restore messages to ${queue}: ${JSON.stringify(result.Failed)}`);
        restored += batch.length;
      }
    }
    this.rewrite(); // what this run sent (the restored messages among them), the previous run's lines gone
    return restored;
  }

  private append(entry: Entry): void {
    if (this.lines >= COMPACT_AFTER_LINES) this.rewrite();
    appendFileSync(this.file, `${JSON.stringify(entry)}\n`);
    this.lines++;
  }

  /** The live messages only, replacing the file in one rename (a crash mid-rewrite leaves the old file). */
  private rewrite(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const text = [...this.live.values()].map((message) => `${JSON.stringify({ op: 'send', ...message })}\n`).join('');
    writeFileSync(`${this.file}.tmp`, text);
    renameSync(`${this.file}.tmp`, this.file);
    this.lines = this.live.size;
  }
}

function withoutOp(entry: { op: 'send' } & JournalMessage): JournalMessage {
  const message: Partial<typeof entry> = { ...entry };
  delete message.op;
  return message as JournalMessage;
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}
