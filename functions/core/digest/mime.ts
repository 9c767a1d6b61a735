/**
 * The raw MIME message of a digest (nodemailer's MailComposer, a pure library): one byte string
 * that the outbox files as .eml and SMTP and SES send unchanged.
 *
 *     multipart/alternative
 *     ├── text/plain; charset=utf-8
 *     └── multipart/related
 *         ├── text/html; charset=utf-8
 *         └── image/png (Content-ID, inline) …one per chart
 *
 * Non-ASCII display names and subjects are RFC 2047 encoded-words (SES rejects raw UTF-8 in
 * address headers). Date, Message-ID and the multipart boundaries are derived from the inputs, so
 * the same digest builds the same bytes. Line ends are CRLF.
 */
import { createHash } from 'node:crypto';
import addressparser from 'nodemailer/lib/addressparser/index.js';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { MailMessage } from '../ports.ts';

export interface MimeOptions {
  /** The Date header (the digest's as-of time). */
  date: string | Date;
  /** Message-ID without angle brackets, e.g. `digest-2024-03-20-day-en@example.com`. */
  messageId: string;
}

/** Builds the raw message. */
export function buildMime(message: MailMessage, options: MimeOptions): Promise<Uint8Array> {
  const seed = createHash('sha256').update(options.messageId).digest('hex').slice(0, 24);
  const composer = new MailComposer({
    from: message.from,
    to: message.to,
    subject: message.subject,
    date: new Date(options.date),
    messageId: `<${options.messageId}>`,
    text: message.text,
    html: message.html,
    attachments: message.inline.map((i) => ({
      cid: i.cid,
      filename: i.filename,
      contentType: i.contentType,
      content: Buffer.from(i.content),
      contentDisposition: 'inline',
    })),
    headers: message.headers ?? {},
    textEncoding: 'B',
    baseBoundary: seed,
    boundaryPrefix: '--_sp',
    newline: 'win',
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return new Promise((resolve, reject) => {
    composer.compile().build((err, buf) => (err ? reject(err) : resolve(new Uint8Array(buf))));
  });
}

/** The bare address of an address header entry ("Name" <a@b> → a@b), for SMTP and SES envelopes. */
export function bareAddress(address: string): string {
  const parsed = addressparser(address, { flatten: true })[0];
  return (parsed?.address || address).trim();
}

/** The domain of an address, for Message-IDs. */
export function addressDomain(address: string): string {
  const bare = bareAddress(address);
  const at = bare.lastIndexOf('@');
  return at >= 0 ? bare.slice(at + 1) : 'servicepulse.invalid';
}
