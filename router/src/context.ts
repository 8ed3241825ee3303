import type { Logger, Session } from '@stagelives/platform';

/** Per-request state of the router. */
export interface RouterContext {
  requestId: string;
  logger: Logger;
  session: Session | null;
  /** Set when a subgraph started or ended a session during this request. */
  sessionChange: { kind: 'set'; token: string } | { kind: 'clear' } | null;
}
