import { createTransport } from 'nodemailer';
import type { Logger } from '@stagelives/platform';
import type { MailContent } from './messages.js';

export interface MailerOptions {
  /** `smtp://…` or `smtps://…`; unset (outside production only): mail is logged, not sent. */
  smtpUrl: string | undefined;
  /** The From of every message. */
  from: string;
  logger: Logger;
}

/**
 * Sends the users domain's mail over SMTP with nodemailer (a pooled connection: a burst of
 * sign-ups does not open a connection each). Sending never holds up the request that caused it:
 * `send` returns at once, and a failure is logged (the user asks for a new link).
 */
export class Mailer {
  private readonly transport;
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly options: MailerOptions) {
    this.transport = options.smtpUrl
      ? createTransport({ url: options.smtpUrl, pool: true, maxConnections: 3 } as Parameters<typeof createTransport>[0])
      : createTransport({ jsonTransport: true });
    if (!options.smtpUrl) options.logger.warn('SMTP_URL is not set: mail is written to the log, not sent');
  }

  /** Hands a message to the SMTP server in the background. */
  send(to: string, content: MailContent): void {
    const sending = this.deliver(to, content).finally(() => this.pending.delete(sending));
    this.pending.add(sending);
  }

  private async deliver(to: string, { subject, text, html, lang }: MailContent): Promise<void> {
    try {
      const info = await this.transport.sendMail({ from: this.options.from, to, subject, text, html, headers: { 'Content-Language': lang } });
      if (!this.options.smtpUrl) this.options.logger.info({ to, subject, message: info.message }, 'mail not sent (SMTP_URL unset)');
    } catch (error) {
      this.options.logger.error({ err: error instanceof Error ? error.message : String(error), subject }, 'mail could not be sent');
    }
  }

  /** Waits for the messages being sent, then closes the SMTP connections. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.pending]);
    this.transport.close();
  }
}
