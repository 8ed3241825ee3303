// What test/global-setup.ts provides to every test file (vitest's inject()).
import 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
    redisUrl: string;
    /** Mailpit's SMTP server (`smtp://…`): the stack's SMTP_URL. */
    smtpUrl: string;
    /** Mailpit's web UI and HTTP API (`http://…`): test/support/mail.ts reads the delivered mail there. */
    mailpitUrl: string;
  }
}
