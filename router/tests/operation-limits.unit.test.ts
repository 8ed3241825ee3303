import { describe, expect, it } from 'vitest';
import { parse, validate } from 'graphql';
import { apiSchemaOf, loadContract, loadPending, readSupergraph } from '@stagelives/schema/tooling';
import { loadRouterConfig } from '../src/config.js';
import { operationLimits } from '../src/operation-limits.js';

describe(operationLimits.name, () => {
  it('should let every contract operation through the default limits', async () => {
    const config = loadRouterConfig({ MONGODB_URI: 'mongodb://x', REDIS_URL: 'redis://x', IDENTITY_SECRET: 'x'.repeat(32), NODE_ENV: 'production' });
    const schema = apiSchemaOf(await readSupergraph());
    const { validationRules } = operationLimits(config);
    const pending = loadPending();
    const checked = loadContract().filter((op) => !pending.has(op.name));
    expect(checked.length).toBeGreaterThan(5);
    for (const op of checked) {
      const errors = validate(schema, parse(op.source), validationRules as never).map((e) => e.message);
      expect({ op: op.name, errors }).toEqual({ op: op.name, errors: [] });
    }
  });
});
