/**
 * A push-to-pull queue behind the stream's async iterators: the stream pushes, the iterator
 * awaits. `end()` finishes the iteration after the buffered items; `fail()` throws after them.
 */
export class AsyncQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private readonly waiting: { resolve(r: IteratorResult<T>): void; reject(e: unknown): void }[] = [];
  private done = false;
  private error: Error | undefined = undefined;

  constructor(
    private readonly onDetach: () => void,
    private readonly onTake: () => void = () => undefined,
  ) {}

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    if (this.done) return;
    const w = this.waiting.shift();
    if (w) w.resolve({ value: item, done: false });
    else this.items.push(item);
  }

  end(error?: Error): void {
    if (this.done) return;
    this.done = true;
    this.error = error;
    for (const w of this.waiting.splice(0)) {
      if (error === undefined) w.resolve({ value: undefined, done: true });
      else w.reject(error);
    }
    this.onDetach();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.items.length) {
      const value = this.items.shift() as T;
      this.onTake();
      return Promise.resolve({ value, done: false });
    }
    if (this.done)
      return this.error === undefined
        ? Promise.resolve({ value: undefined, done: true })
        : Promise.reject(this.error);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /** `break` out of `for await`: stop listening. */
  return(): Promise<IteratorResult<T>> {
    this.items.length = 0;
    this.end();
    this.error = undefined;
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
