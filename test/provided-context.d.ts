// What test/global-setup.ts provides to every test file (vitest's inject()).
import 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
    redisUrl: string;
  }
}
