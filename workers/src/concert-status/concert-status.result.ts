/**
 * What one status sync did. Its own file: the queue types its jobs with it and the processor
 * returns it, and the processor imports the queue's job names (no import cycle between the two).
 */
export interface StatusSyncResult {
  /** Another run held the lock: this one did nothing. */
  skipped: boolean;
  /** Transitions this run applied and announced (it won their claim). */
  changed: number;
  /** Per transition, e.g. `UPCOMING->ONGOING`: how many. */
  transitions: Record<string, number>;
  /** Events moved from the outbox (Redis had refused them) to the stream. */
  republished: number;
}
