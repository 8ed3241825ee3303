import { z } from 'zod';
import { loadConfig } from '@stagelives/platform';

/** Settings only the chat subgraph reads. */
const chatEnv = {
  /** Messages one user may send (over all rooms) per window. */
  CHAT_SEND_LIMIT: z.coerce.number().int().positive().default(30),
  /** The send limit's window, in seconds. */
  CHAT_SEND_WINDOW_SECONDS: z.coerce.number().int().positive().default(10),
};

export const loadChatConfig = (env: NodeJS.ProcessEnv) => loadConfig(chatEnv, env);
