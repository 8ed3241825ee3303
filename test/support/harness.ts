import { inject } from 'vitest';
import { createStack, type Stack } from './stack.js';

export * from './stack.js';

/** The whole graph in-process, on the suite's FerretDB and Redis (see createStack). */
export function startStack(env: Record<string, string> = {}): Promise<Stack> {
  return createStack({ MONGODB_URI: inject('mongoUri'), REDIS_URL: inject('redisUrl'), ...env });
}
