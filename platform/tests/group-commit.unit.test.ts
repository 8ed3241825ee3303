import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../src/group-commit.js';

describe('GroupCommit', () => {
  it('should run the first item alone, then everything that waited meanwhile together, per key, in order', async () => {
    const runs: string[][] = [];
    const commit = new GroupCommit<string, number, string>(async (key, items) => {
      runs.push(items.map((i) => `${key}${i}`));
      await new Promise((r) => setTimeout(r, 10));
      return items.map((i) => `${key}${i}!`);
    });
    const answers = await Promise.all([1, 2, 3, 4].map((i) => commit.submit('a', i)).concat([commit.submit('b', 1)]));
    expect(answers).toEqual(['a1!', 'a2!', 'a3!', 'a4!', 'b1!']);
    expect(runs).toEqual([['a1'], ['b1'], ['a2', 'a3', 'a4']]);
    // Idle keys keep nothing: the next submit runs at once, alone.
    expect(await commit.submit('a', 5)).toBe('a5!');
    expect(runs.at(-1)).toEqual(['a5']);
  });

  it('should cap a run at maxBatch, reject the items answered with an Error, and every item of a run that throws', async () => {
    let calls = 0;
    const commit = new GroupCommit<string, number, number>(async (_key, items) => {
      calls += 1;
      if (items.includes(99)) throw new Error('run failed');
      return items.map((i) => (i % 2 ? new Error(`odd ${i}`) : i));
    }, 2);
    const settled = await Promise.allSettled([0, 2, 4, 5, 6].map((i) => commit.submit('k', i)));
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message))).toEqual([0, 2, 4, 'odd 5', 6]);
    expect(calls).toBe(3); // [0], [2, 4], [5, 6]
    const failed = await Promise.allSettled([commit.submit('k', 99), commit.submit('k', 8)]);
    expect(failed.map((s) => s.status)).toEqual(['rejected', 'fulfilled']);
  });
});
