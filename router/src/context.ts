import type { SessionChange } from '@stagelives/schema';
import type { Logger, Session } from '@stagelives/platform';

/** Per-request state of the router. */
export interface RouterContext {
  requestId: string;
  logger: Logger;
  session: Session | null;
  /** The client's address (X-Forwarded-For only when TRUST_PROXY says so). */
  clientIp: string;
  /** A token was presented but Redis could not be asked about it. */
  sessionLookupFailed: boolean;
  /** Set when a subgraph started or ended a session during this request. */
  sessionChange: SessionChange | null;
}
