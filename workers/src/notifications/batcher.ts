/**
 * Groups items submitted one by one (BullMQ hands a worker its jobs one at a time, up to its
 * concurrency) into batches: a batch runs when it has `maxSize` items or `maxWaitMs` after its
 * first. Several batches may run at once. `run` returns one result per item, in order; when it
 * throws, every item of the batch gets the error.
 */
export class Batcher<I, O> {
  private pending: Array<{ item: I; resolve: (value: O) => void; reject: (error: unknown) => void }> = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly options: { maxSize: number; maxWaitMs: number },
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.options.maxSize) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.maxWaitMs);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    this.run(batch.map((b) => b.item)).then(
      (results) => {
        batch.forEach((b, i) => {
          b.resolve(results[i]!);
        });
      },
      (error: unknown) => {
        for (const b of batch) b.reject(error);
      },
    );
  }
}
