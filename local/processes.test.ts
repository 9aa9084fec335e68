import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LineBuffer, StartupError, assertJavaAvailable, assertPortFree, startProcess } from './processes.js';

describe('start-up checks', () => {
  const path = process.env.PATH;
  afterEach(() => {
    process.env.PATH = path;
  });

  it('explains how to get Java when it is missing', () => {
    process.env.PATH = '/nonexistent';
    expect(() => assertJavaAvailable()).toThrow(StartupError);
    try {
      assertJavaAvailable();
    } catch (error) {
      expect((error as StartupError).message).toMatch(/Java was not found/);
      expect((error as StartupError).hint).toMatch(/openjdk-17/);
    }
  });

  it('names a busy port and what needed it', async () => {
    const server = createServer();
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
    const port = (server.address() as { port: number }).port;
    try {
      await expect(assertPortFree(port, 'SQS emulator')).rejects.toThrow(`Port ${port} (SQS emulator) is already in use.`);
    } finally {
      server.close();
    }
  });

  it('passes for a free port', async () => {
    await expect(assertPortFree(0, 'anything')).resolves.toBeUndefined();
  });
});

describe('output lines', () => {
  it('joins a line cut between chunks, a multi-byte character included, and keeps what has no newline yet', () => {
    const lines = new LineBuffer();
    const long = JSON.stringify({ _aws: { CloudWatchMetrics: [] }, message: 'é'.repeat(5000) });
    const bytes = Buffer.from(`first\n${long}\nlast`);
    const cut = bytes.indexOf(Buffer.from('é')) + 1; // inside the two bytes of an é
    expect(lines.push(bytes.subarray(0, cut))).toEqual(['first']);
    expect(lines.push(bytes.subarray(cut))).toEqual([long]);
    expect(lines.push('\r\n')).toEqual(['last']);
    expect(lines.push('tail')).toEqual([]);
    expect(lines.end()).toEqual(['tail']);
  });

  it('passes on a line longer than its bound in pieces', () => {
    const lines = new LineBuffer(10);
    expect(lines.push('x'.repeat(25))).toEqual(['x'.repeat(25)]);
    expect(lines.end()).toEqual([]);
  });

  it("hands a child's long JSON lines over whole", async () => {
    const seen: string[] = [];
    const script = "const l = JSON.stringify({ m: 'y'.repeat(200000) }); process.stdout.write(l + '\\n' + l + '\\n');";
    const child = startProcess(process.execPath, ['-e', script], { onOutput: (line) => seen.push(line) });
    await new Promise((resolve) => child.once('close', resolve));
    expect(seen).toHaveLength(2);
    for (const line of seen) expect((JSON.parse(line) as { m: string }).m).toHaveLength(200000);
  });
});
