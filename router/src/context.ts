import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Logger, Session, SessionStore } from '@stagelives/platform';
import { IDENTITY_HEADER, REQUEST_ID_HEADER, type SessionChange } from '@stagelives/schema';
import { sessionTokenFrom } from './sessions.js';

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
  /**
   * The client's `Accept-Language`, passed on to subgraphs (the users domain takes a new
   * account's mail language from it); absent for operations the router runs itself.
   */
  acceptLanguage?: string | undefined;
  /** An operation the router runs itself (subscription events), not a client request: no rate limit, no access line. */
  internal?: boolean;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,64}$/;

/** A request id the client sent, when it is sane, or a new one. */
function requestIdOf(req: IncomingMessage): string {
  const given = req.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * One request's context. Its logger (a child bound to the request id) is made on first use: most
 * requests log nothing at the levels production runs. The getter lives on the prototype, so
 * Apollo's copy of the context (`Object.assign` onto an object of the same prototype) stays lazy.
 */
class RequestContext implements RouterContext {
  sessionChange: SessionChange | null = null;
  /** The logger, once made (a plain property: Apollo's copy of the context carries it). */
  requestLogger: Logger | undefined;

  constructor(
    readonly requestId: string,
    private readonly baseLogger: Logger,
    public session: Session | null,
    readonly sessionLookupFailed: boolean,
    readonly clientIp: string,
    readonly acceptLanguage: string | undefined,
  ) {}

  get logger(): Logger {
    return (this.requestLogger ??= this.baseLogger.child({ requestId: this.requestId }));
  }
}

/**
 * Builds the context of one request: its id, its logger, and the session its bearer token or
 * cookie names (asked of Redis only when one is presented). If Redis cannot be asked, reads go on
 * anonymously and writes are refused (see the rate-limit plugin).
 */
export function routerContextBuilder({ sessions, logger, production }: { sessions: SessionStore; logger: Logger; production: boolean }) {
  return async (req: IncomingMessage & { ip?: string | undefined }): Promise<RouterContext> => {
    // Only the router may assert identity to subgraphs: a client's copy is dropped here.
    delete req.headers[IDENTITY_HEADER];
    const requestId = requestIdOf(req);
    const token = sessionTokenFrom(req.headers, production);
    let session: Session | null = null;
    let sessionLookupFailed = false;
    if (token) {
      try {
        session = await sessions.resolve(token);
      } catch (error) {
        sessionLookupFailed = true;
        logger.child({ requestId }).warn({ err: error instanceof Error ? error.message : String(error) }, 'session lookup failed');
      }
    }
    const language = req.headers['accept-language'];
    const acceptLanguage = typeof language === 'string' && language.length <= 256 ? language : undefined;
    return new RequestContext(requestId, logger, session, sessionLookupFailed, req.ip ?? 'unknown', acceptLanguage);
  };
}
