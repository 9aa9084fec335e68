/**
 * How a local poller waits when it found nothing: Lambda's pollers cost nothing to keep running, a laptop's
 * do, so an empty poll waits longer each time (from `minMs`, doubling, up to `maxMs`), and `wake()` ends the
 * wait at once when work is known to have arrived (the local bus delivered to the queue; a table was written).
 */
export class IdleWait {
  private delayMs: number;
  private pending: { timer: NodeJS.Timeout; done: () => void } | undefined;

  constructor(
    private readonly minMs = 25,
    private readonly maxMs = 1000,
  ) {
    this.delayMs = minMs;
  }

  /** Waits after an empty poll; each consecutive call waits twice as long, up to the maximum. */
  async idle(): Promise<void> {
    const delay = this.delayMs;
    this.delayMs = Math.min(this.delayMs * 2, this.maxMs);
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(this.pending?.timer);
        this.pending = undefined;
        resolve();
      };
      this.pending = { timer: setTimeout(done, delay), done };
    });
  }

  /** Work was found: the next idle wait starts short again. */
  busy(): void {
    this.delayMs = this.minMs;
  }

  /** Work has arrived: end the current wait now, and start short again. */
  wake(): void {
    this.delayMs = this.minMs;
    this.pending?.done();
  }

  /** The wait the next idle() would take (for tests and logs). */
  get nextDelayMs(): number {
    return this.delayMs;
  }
}
