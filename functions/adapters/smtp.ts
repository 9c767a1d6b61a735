/**
 * MailDelivery over SMTP (nodemailer), for `servicepulse digest --send` on a workstation or any
 * host with a relay: `digest.smtp` in the config, e.g. `smtp://127.0.0.1:1025` (a local catcher) or
 * `smtps://user:pass@mail.example.com`. It sends the already-built raw MIME unchanged, so what
 * arrives is byte for byte what the outbox filed; the envelope comes from From and To.
 */
import nodemailer from 'nodemailer';
import { bareAddress } from '../core/digest/mime.ts';
import type { MailDelivery, MailMessage } from '../core/ports.ts';

export interface SmtpDeliveryOptions {
  /** smtp:// or smtps:// URL (nodemailer's connection URL syntax; query options allowed). */
  url: string;
}

export class SmtpDelivery implements MailDelivery {
  private readonly transport: ReturnType<typeof nodemailer.createTransport>;
  constructor(options: SmtpDeliveryOptions) {
    this.transport = nodemailer.createTransport(options.url);
  }

  /** Sends the message; returns the server's reply ("250 …"). */
  async deliver(message: MailMessage, raw: Uint8Array): Promise<string> {
    if (message.to.length === 0) throw new Error('SMTP: the message has no recipients');
    const info = await this.transport.sendMail({
      envelope: { from: bareAddress(message.from), to: message.to.map(bareAddress) },
      raw: Buffer.from(raw),
    });
    const rejected = (info.rejected ?? []).map(String);
    if (rejected.length > 0) throw new Error(`SMTP: recipients rejected: ${rejected.join(', ')}`);
    return String(info.response ?? info.messageId ?? '');
  }

  close(): void {
    this.transport.close();
  }
}
