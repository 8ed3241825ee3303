/**
 * The fan-out benchmark's load process (forked by `fanout.ts`, driven over IPC): thousands of
 * graphql-transport-ws subscribers on plain `ws` sockets (no permessage-deflate, no UTF-8
 * validation: the lightest client that still speaks the protocol), each with its own session.
 *
 * A delivery is recognised without JSON.parse: message bodies read `~fo:<case>:<index>:<sentUs>~`
 * (`w` for a warm-up case), found with one Buffer.indexOf; `<sentUs>` is the sender's
 * `process.hrtime` (CLOCK_MONOTONIC, shared by every process of the machine) in microseconds, so
 * receipt minus send is the end-to-end latency. Each subscriber keeps a bitmap of the indexes it
 * got (duplicates are counted, never double counted), latencies go to a histogram.
 */
import WebSocket from 'ws';

export const BODY_MARKER = '~fo:';

/** Requests from the bench process; every one is answered with `{ reply: id, ... }`. */
export type LoadRequest =
  | { id: number; type: 'open'; url: string; tokens: string[]; query: string; roomId: string; concurrency?: number }
  | { id: number; type: 'status' }
  | { id: number; type: 'start'; caseId: number; capacity: number }
  | { id: number; type: 'stop' }
  | { id: number; type: 'close' };

export interface LoadStatus {
  sockets: number;
  open: number;
  warmed: number;
  received: number;
  closes: Record<string, number>;
  errors: number;
  firstError: string | null;
}

export interface LoadResult extends LoadStatus {
  duplicates: number;
  stale: number;
  /** hrtime of the first and last counted receipt, µs. */
  firstUs: number;
  lastUs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

const marker = Buffer.from(BODY_MARKER);
const COLON = 0x3a;
const W = 0x77;

// Latency histogram: 0.1 ms bins below 1 s, 10 ms bins from 1 s to 300 s, then one overflow bin.
const FINE_BINS = 10_000;
const COARSE_BINS = 29_900;
const histogram = new Uint32Array(FINE_BINS + COARSE_BINS + 1);
let maxUs = 0;

function record(us: number) {
  const v = Math.max(us, 0);
  if (v > maxUs) maxUs = v;
  const bin = v < 1_000_000 ? Math.floor(v / 100) : Math.min(FINE_BINS + Math.floor((v - 1_000_000) / 10_000), FINE_BINS + COARSE_BINS);
  histogram[bin] = histogram[bin]! + 1;
}

/** Upper edge of the bin holding the q-quantile, in ms. */
function quantile(q: number, total: number): number {
  if (total === 0) return NaN;
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (let bin = 0; bin < histogram.length; bin += 1) {
    seen += histogram[bin]!;
    if (seen >= rank) return bin < FINE_BINS ? ((bin + 1) * 100) / 1000 : (1_000_000 + (bin - FINE_BINS + 1) * 10_000) / 1000;
  }
  return maxUs / 1000;
}

const nowUs = () => Number(process.hrtime.bigint() / 1000n);

let sockets: WebSocket[] = [];
let warmed = new Uint8Array(0);
let warmedCount = 0;
let caseId = -1;
let bytesPerSub = 0;
let seen = new Uint8Array(0);
let received = 0;
let duplicates = 0;
let stale = 0;
let firstUs = 0;
let lastUs = 0;
let errors = 0;
let firstError: string | null = null;
let closes: Record<string, number> = {};

function onMessage(sub: number, data: Buffer, acked: () => void) {
  const at = data.indexOf(marker);
  if (at < 0) return onControl(data, acked);
  let p = at + marker.length;
  if (data[p] === W) {
    if (!warmed[sub]) {
      warmed[sub] = 1;
      warmedCount += 1;
    }
    return;
  }
  let tag = 0;
  while (data[p] !== COLON) tag = tag * 10 + data[p++]! - 48;
  p += 1;
  let index = 0;
  while (data[p] !== COLON) index = index * 10 + data[p++]! - 48;
  p += 1;
  let sent = 0;
  for (let c = data[p]!; c >= 48 && c <= 57; c = data[++p]!) sent = sent * 10 + c - 48;
  if (tag !== caseId) {
    stale += 1;
    return;
  }
  const byte = sub * bytesPerSub + (index >> 3);
  const bit = 1 << (index & 7);
  if (index >> 3 >= bytesPerSub || seen[byte]! & bit) {
    duplicates += 1;
    return;
  }
  seen[byte] = seen[byte]! | bit;
  const now = nowUs();
  if (received === 0) firstUs = now;
  lastUs = now;
  received += 1;
  record(now - sent);
}

function onControl(data: Buffer, acked: () => void) {
  let message: { type?: string; payload?: unknown };
  try {
    message = JSON.parse(data.toString()) as typeof message;
  } catch {
    message = { type: 'unparseable' };
  }
  if (message.type === 'connection_ack') return acked();
  if (message.type === 'ping') return;
  errors += 1;
  firstError ??= data.toString().slice(0, 300);
}

function status(): LoadStatus {
  return {
    sockets: sockets.length,
    open: sockets.filter((s) => s.readyState === WebSocket.OPEN).length,
    warmed: warmedCount,
    received,
    closes,
    errors,
    firstError,
  };
}

async function open(url: string, tokens: string[], query: string, roomId: string, concurrency: number) {
  sockets = [];
  warmed = new Uint8Array(tokens.length);
  warmedCount = 0;
  closes = {};
  errors = 0;
  firstError = null;
  let next = 0;
  let failed = 0;
  const subscribeMessage = JSON.stringify({ id: '1', type: 'subscribe', payload: { query, variables: { roomId } } });
  const one = (sub: number) =>
    new Promise<void>((resolve) => {
      const ws = new WebSocket(url, 'graphql-transport-ws', { perMessageDeflate: false, skipUTF8Validation: true });
      sockets[sub] = ws;
      let done = false;
      const finish = (ok: boolean) => {
        if (done) return;
        done = true;
        if (!ok) failed += 1;
        resolve();
      };
      ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${tokens[sub]}` } })));
      ws.on('message', (data: Buffer) =>
        onMessage(sub, data, () => {
          ws.send(subscribeMessage);
          finish(true);
        }),
      );
      ws.on('close', (code) => {
        closes[code] = (closes[code] ?? 0) + 1;
        finish(false);
      });
      ws.on('error', (error) => {
        errors += 1;
        firstError ??= error.message;
        finish(false);
      });
    });
  const started = Date.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, tokens.length) }, async () => {
      while (next < tokens.length) await one(next++);
    }),
  );
  return { failed, ms: Date.now() - started, closes, firstError };
}

async function closeAll() {
  await Promise.all(
    sockets.map(
      (ws) =>
        new Promise<void>((resolve) => {
          if (ws.readyState === WebSocket.CLOSED) return resolve();
          ws.once('close', () => resolve());
          ws.close(1000);
          setTimeout(() => {
            ws.terminate();
            resolve();
          }, 3_000).unref();
        }),
    ),
  );
  sockets = [];
}

process.on('message', (request: LoadRequest) => {
  const reply = (body: object) => process.send?.({ reply: request.id, ...body });
  void (async () => {
    switch (request.type) {
      case 'open':
        return reply(await open(request.url, request.tokens, request.query, request.roomId, request.concurrency ?? 100));
      case 'status':
        return reply(status());
      case 'start':
        caseId = request.caseId;
        bytesPerSub = Math.ceil(request.capacity / 8);
        seen = new Uint8Array(bytesPerSub * sockets.length);
        received = duplicates = stale = firstUs = lastUs = maxUs = 0;
        histogram.fill(0);
        closes = {};
        return reply({});
      case 'stop': {
        const result: LoadResult = {
          ...status(),
          duplicates,
          stale,
          firstUs,
          lastUs,
          p50Ms: quantile(0.5, received),
          p90Ms: quantile(0.9, received),
          p99Ms: quantile(0.99, received),
          maxMs: maxUs / 1000,
        };
        caseId = -1;
        return reply(result);
      }
      case 'close':
        await closeAll();
        return reply({});
    }
  })().catch((error: unknown) => reply({ error: error instanceof Error ? error.message : String(error) }));
});
process.on('disconnect', () => process.exit(0));
