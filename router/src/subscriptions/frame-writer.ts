import type { Duplex } from 'node:stream';

/** One socket's `next` frames handed over since its last write, in order. */
export interface Outbox {
  readonly socket: Duplex;
  /** Whether the connection still takes messages (false once a close frame went either way). */
  readonly isOpen: () => boolean;
  /** Waiting for a flush (it has frames, and its place in the writer's queue). */
  due: boolean;
  /** Pairs of a subscription's prefix and the payloads of its frames. */
  readonly pending: Array<Buffer | readonly Buffer[]>;
  /** Bytes of the frames in `pending`, headers included. */
  bytes: number;
}

/** Sockets written between two yields to the event loop. */
const WRITE_SLICE = 500;

/**
 * The graphql-ws transport's writes of `next` messages. On this kind of machine a socket write
 * costs about twice as much in the kernel as in JavaScript (one system call, and on loopback
 * the receiver's side of TCP too), so writes, not frames, bound a router's fan-out. Frames are
 * therefore not written when the hub hands them over: they wait in their socket's outbox, and
 * the writer writes every waiting socket once, in the order they became due, all their frames
 * built into one buffer (one system call whatever the number of frames, subscriptions or reads).
 *
 * The writer runs on later turns of the event loop and yields every WRITE_SLICE sockets, so the
 * hub hands a group over (in slices of its own, a microsecond or so per subscriber) without
 * waiting for the writes: while a large room's sockets are being written, it reads the room's
 * next message, and a socket not reached yet takes both in its one write. A socket then waits
 * at most one round of the writer (every due socket once) for a message, however far the hub
 * runs ahead.
 *
 * Per socket, frames leave in the order they were handed over; a control message or a close on
 * the same socket flushes its outbox first (`flush`), so a subscription's `complete` or `error`
 * never overtakes its last `next`.
 */
export class FrameWriter {
  /** Outboxes in the order they became due, from `head` (an entry whose outbox was flushed out of turn is skipped). */
  private readonly queue: Outbox[] = [];
  private head = 0;
  private scheduled = false;
  /** Socket writes of `next` frames so far (metrics, tests). */
  writes = 0;
  /** `next` frames in those writes. */
  frames = 0;

  outbox(socket: Duplex, isOpen: () => boolean): Outbox {
    return { socket, isOpen, due: false, pending: [], bytes: 0 };
  }

  /** Hands over one `next` frame per payload (`prefix + payload + "}"`) for the socket's next write. */
  enqueue(box: Outbox, prefix: Buffer, payloads: readonly Buffer[]): void {
    for (const payload of payloads) box.bytes += frameLength(prefix, payload);
    box.pending.push(prefix, payloads);
    if (box.due) return;
    box.due = true;
    this.queue.push(box);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.writeSlice);
    }
  }

  /** Writes what the socket has waiting now (before a control message or a close on it). */
  flush(box: Outbox): void {
    if (box.due) this.write(box);
  }

  /** Writes every socket that has frames waiting (at shutdown, before the sockets close). */
  flushAll(): void {
    for (let i = this.head; i < this.queue.length; i += 1) this.flush(this.queue[i]!);
  }

  /** Drops what the socket has waiting (it closed, or is being closed as a slow consumer). */
  discard(box: Outbox): void {
    box.due = false;
    box.pending.length = 0;
    box.bytes = 0;
  }

  private readonly writeSlice = (): void => {
    const { queue } = this;
    const end = Math.min(queue.length, this.head + WRITE_SLICE);
    for (let i = this.head; i < end; i += 1) this.flush(queue[i]!);
    this.head = end;
    if (end === queue.length) {
      queue.length = 0;
      this.head = 0;
      this.scheduled = false;
      return;
    }
    // A hub that keeps handing over while the writer is behind keeps the queue from emptying: drop the written part now and then.
    if (this.head > 4 * WRITE_SLICE && this.head * 2 > queue.length) {
      queue.splice(0, this.head);
      this.head = 0;
    }
    setImmediate(this.writeSlice);
  };

  private write(box: Outbox): void {
    box.due = false;
    // A connection closing since its frames were handed over takes nothing more (its client resumes with `after`).
    if (!box.isOpen()) {
      this.discard(box);
      return;
    }
    const { pending } = box;
    const frame = Buffer.allocUnsafe(box.bytes);
    let offset = 0;
    let frames = 0;
    for (let i = 0; i < pending.length; i += 2) {
      const prefix = pending[i] as Buffer;
      for (const payload of pending[i + 1] as readonly Buffer[]) {
        offset = writeFrame(frame, offset, prefix, payload);
        frames += 1;
      }
    }
    pending.length = 0;
    box.bytes = 0;
    box.socket.write(frame);
    this.writes += 1;
    this.frames += frames;
  }
}

/** Bytes of the text frame carrying `prefix + payload + "}"`. */
function frameLength(prefix: Buffer, payload: Buffer): number {
  const length = prefix.length + payload.length + 1;
  return (length < 126 ? 2 : length < 65_536 ? 4 : 10) + length;
}

/**
 * Writes one final, unmasked text frame (RFC 6455 §5.2: a server never masks) carrying
 * `prefix + payload + "}"` into `target` at `offset`: a graphql-ws `next` message whose payload
 * was serialised once. Returns the offset after it.
 */
function writeFrame(target: Buffer, offset: number, prefix: Buffer, payload: Buffer): number {
  const length = prefix.length + payload.length + 1;
  target[offset] = 0x81; // FIN + text
  if (length < 126) {
    target[offset + 1] = length;
    offset += 2;
  } else if (length < 65_536) {
    target[offset + 1] = 126;
    target.writeUInt16BE(length, offset + 2);
    offset += 4;
  } else {
    target[offset + 1] = 127;
    target.writeUInt32BE(Math.floor(length / 2 ** 32), offset + 2);
    target.writeUInt32BE(length >>> 0, offset + 6);
    offset += 10;
  }
  offset += prefix.copy(target, offset);
  offset += payload.copy(target, offset);
  target[offset] = 0x7d; // }
  return offset + 1;
}

/** One `next` message's text frame (tests read it back with ws's own parser). */
export function textFrame(prefix: Buffer, payload: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(frameLength(prefix, payload));
  writeFrame(frame, 0, prefix, payload);
  return frame;
}
