import { expect } from 'vitest';
import { BadUserInputError } from '@stagelives/schema';

/** Runs `fn`, which must throw a BadUserInputError, and returns that error's message and field. */
export const refusal = (fn: () => unknown): { message: string; field: unknown } => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(BadUserInputError);
    return { message: (error as Error).message, field: (error as BadUserInputError).extensions.field };
  }
  throw new Error('expected a refusal');
};
