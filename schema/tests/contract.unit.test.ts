import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SHARED_CONTRACT_DIR, apiSchemaOf, checkOperation, loadContract, loadPending, readSupergraph } from '../src/tooling/index.js';

describe('client contract', async () => {
  const schema = apiSchemaOf(await readSupergraph());
  const operations = loadContract();
  const pending = loadPending();

  it('should find the contract operations', () => {
    expect(operations.length).toBeGreaterThan(40);
  });

  it('should list only operation names that exist in the contract as pending', () => {
    const names = new Set(operations.map((o) => o.name));
    expect([...pending].filter((n) => !names.has(n))).toEqual([]);
  });

  for (const op of operations) {
    if (pending.has(op.name)) {
      it(`${op.file} ${op.name} is pending and must not validate yet (remove it from contract-pending.txt)`, () => {
        expect(checkOperation(schema, op)).not.toEqual([]);
      });
    } else {
      it(`${op.file} ${op.name} should validate with its sample variables`, () => {
        expect(checkOperation(schema, op)).toEqual([]);
      });
    }
  }
});

describe.runIf(existsSync(SHARED_CONTRACT_DIR))("the project's contract copy", () => {
  it('should hold every operation of ../shared/contract, unchanged, with the same sample variables', () => {
    const ours = new Map(loadContract().map((o) => [`${o.file} ${o.name}`, o]));
    for (const op of loadContract(SHARED_CONTRACT_DIR)) {
      expect(ours.get(`${op.file} ${op.name}`), `${op.file} ${op.name}`).toEqual(op);
    }
  });
});
