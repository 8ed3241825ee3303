// What test/global-setup.ts provides to every test file (vitest's inject()).
import 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
    /** The backend of the FerretDB the suite started (devkit's startDatabase); null when MONGODB_URI was given. */
    mongoBackend: 'postgresql' | 'sqlite' | null;
    redisUrl: string;
    /** Mailpit's SMTP server (`smtp://…`): the stack's SMTP_URL. */
    smtpUrl: string;
    /** Mailpit's web UI and HTTP API (`http://…`): test/support/mail.ts reads the delivered mail there. */
    mailpitUrl: string;
  }
}
