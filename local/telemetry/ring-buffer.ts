/** A bounded buffer that keeps the newest `capacity` items: memory stays flat however long the stack runs. */
export class RingBuffer<T> {
  private readonly items: Array<T | undefined>;
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`capacity must be a positive integer, not ${capacity}`);
    this.items = new Array<T | undefined>(capacity);
  }

  push(item: T): void {
    this.items[this.next] = item;
    this.next = (this.next + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Oldest first. */
  toArray(): T[] {
    const start = (this.next - this.count + this.capacity) % this.capacity;
    const result: T[] = [];
    for (let i = 0; i < this.count; i++) result.push(this.items[(start + i) % this.capacity] as T);
    return result;
  }

  filter(keep: (item: T) => boolean): T[] {
    return this.toArray().filter(keep);
  }
}
