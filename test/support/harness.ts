import type { CommandStartedEvent } from 'mongodb';
import { inject } from 'vitest';
import { createStack, type Stack } from './stack.js';

export * from './stack.js';

/** The whole graph in-process, on the suite's FerretDB, Redis and Mailpit (see createStack). */
export function startStack(env: Record<string, string> = {}): Promise<Stack> {
  return createStack({ MONGODB_URI: inject('mongoUri'), REDIS_URL: inject('redisUrl'), SMTP_URL: inject('smtpUrl'), ...env });
}

/**
 * A command's kind: `point` for a read of one document by `_id` alone (what FerretDB answers from
 * its primary key, and what platform's findByIds sends there instead of a scanning `$in`), else
 * its name.
 */
export function commandKind(e: CommandStartedEvent): string {
  const filter = e.command.filter as Record<string, unknown> | undefined;
  const id = filter && Object.keys(filter).length === 1 ? (filter._id as Record<string, unknown> | undefined) : undefined;
  const single = id !== undefined && (typeof id !== 'object' || id === null || !('$in' in id));
  return e.commandName === 'find' && single && e.command.limit === 1 ? 'point' : e.commandName;
}
