/**
 * Group commit: per key, one `run` at a time. What is submitted while a run is in flight waits,
 * and everything waiting (at most `maxBatch`) goes together into the next run. Writers that
 * contend for one resource (a room's next sequence numbers, a collection on a database with a
 * single writer) then cost one command per run instead of one each, and never race each other.
 *
 * `run` answers one outcome per item, in order: a value resolves that item, an `Error` rejects
 * it; when `run` throws, every item of that run gets the error. A key with nothing waiting or
 * running holds no state.
 */
export class GroupCommit<K, I, R> {
  private readonly lanes = new Map<K, Array<{ item: I; resolve(value: R): void; reject(error: unknown): void }>>();

  constructor(
    private readonly run: (key: K, items: I[]) => Promise<ReadonlyArray<R | Error>>,
    private readonly maxBatch = Number.POSITIVE_INFINITY,
  ) {}

  submit(key: K, item: I): Promise<R> {
    const waiting = this.lanes.get(key);
    return new Promise<R>((resolve, reject) => {
      if (waiting) return void waiting.push({ item, resolve, reject });
      const lane = [{ item, resolve, reject }];
      this.lanes.set(key, lane);
      void this.drain(key, lane);
    });
  }

  private async drain(key: K, lane: Array<{ item: I; resolve(value: R): void; reject(error: unknown): void }>): Promise<void> {
    while (lane.length > 0) {
      const batch = lane.splice(0, this.maxBatch);
      try {
        const outcomes = await this.run(
          key,
          batch.map((b) => b.item),
        );
        batch.forEach((b, i) => {
          const outcome = outcomes[i];
          if (outcome instanceof Error) b.reject(outcome);
          else b.resolve(outcome as R);
        });
      } catch (error) {
        for (const b of batch) b.reject(error);
      }
    }
    this.lanes.delete(key);
  }
}
