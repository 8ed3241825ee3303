import { createRequire } from 'node:module';
import type { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { textFrame } from '../src/subscriptions/frame-writer.js';

// ws's frame parser (exported by the package, not declared by @types/ws).
const { Receiver } = createRequire(import.meta.url)('ws') as { Receiver: new (options: { isServer: boolean }) => Writable };

/** Reads frames back with ws's own parser (a client's view of the wire). */
function receive(frames: Buffer[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const got: string[] = [];
    const receiver = new Receiver({ isServer: false });
    receiver.on('message', (data: Buffer, isBinary: boolean) => {
      expect(isBinary).toBe(false);
      got.push(data.toString());
      if (got.length === frames.length) resolve(got);
    });
    receiver.on('error', reject);
    for (const frame of frames) receiver.write(frame);
  });
}

describe('textFrame', () => {
  it('should build valid text frames across the 7-bit, 16-bit and 64-bit length forms', async () => {
    const prefix = Buffer.from('{"id":"sub-1","type":"next","payload":');
    const payloads = [10, 200, 70_000].map((n) => Buffer.from(JSON.stringify({ data: { messageAdded: { body: 'é'.repeat(n) } } })));
    payloads.unshift(Buffer.from('{}'));
    const frames = payloads.map((p) => textFrame(prefix, p));
    expect(frames.map((f) => f[1])).toEqual([prefix.length + 3, prefix.length + payloads[1]!.length + 1, 126, 127]);
    const messages = await receive(frames);
    expect(messages.map((m) => JSON.parse(m))).toEqual(payloads.map((p) => ({ id: 'sub-1', type: 'next', payload: JSON.parse(p.toString()) })));
  });
});
