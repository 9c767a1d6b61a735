/**
 * MailDelivery that files messages instead of sending them: `<prefix>/<name>.eml` (the exact raw
 * message, charts included), `.txt` (the plain-text part) and `.html`, which opens in a browser:
 * its `cid:` images are written beside it as `<name>-<cid>.png` and the copy's `cid:` URLs point at
 * them (only in that file; the .eml keeps its Content-IDs).
 *
 * It writes through an ObjectStore: the local store rooted at the home folder gives
 * `<home>/outbox/…` (CLI), an S3 store the results bucket's `outbox/` (Lambda). `<name>` is the
 * message's `X-Servicepulse-Digest` header (`2024-03-20-day-en`), else a slug of its subject.
 *
 * Every file is written checked and atomically by the store (a full disk fails the write, nothing
 * half-written is left); when one of a message's files fails, the files already written for it are
 * removed and the error is thrown, so the outbox holds whole messages or none.
 */
import type { MailDelivery, MailMessage, ObjectStore } from '../core/ports.ts';

function safe(s: string): string {
  return s
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '')
    .slice(0, 120);
}

export interface OutboxOptions {
  /** Folder (key prefix) inside the store. @default 'outbox' */
  prefix?: string;
}

export class OutboxDelivery implements MailDelivery {
  private readonly prefix: string;
  constructor(
    private readonly store: ObjectStore,
    options: OutboxOptions = {},
  ) {
    this.prefix = (options.prefix ?? 'outbox').replace(/\/+$/, '');
  }

  /** The file stem a message is filed under. */
  static nameOf(message: MailMessage): string {
    const header = Object.entries(message.headers ?? {}).find(
      ([k]) => k.toLowerCase() === 'x-servicepulse-digest',
    );
    return safe(header?.[1] ?? message.subject) || 'message';
  }

  /** Files the message; returns where its .eml is. On a failed write, removes its files and throws. */
  async deliver(message: MailMessage, raw: Uint8Array): Promise<string> {
    const name = OutboxDelivery.nameOf(message);
    const key = (file: string) => `${this.prefix}/${file}`;
    const written: string[] = [];
    const put = async (file: string, body: Uint8Array | string, type: string) => {
      written.push(key(file));
      await this.store.put(key(file), body, type);
    };
    try {
      const images = new Map<string, string>();
      for (const img of message.inline) {
        const file = `${name}-${safe(img.cid)}.png`;
        images.set(img.cid, file);
        await put(file, img.content, img.contentType);
      }
      const html = message.html.replace(/(["'(])cid:([^"')\s>]+)/g, (whole, open: string, cid: string) => {
        const file = images.get(cid);
        return file ? `${open}${encodeURI(file)}` : whole;
      });
      await put(`${name}.html`, html, 'text/html; charset=utf-8');
      await put(`${name}.txt`, message.text, 'text/plain; charset=utf-8');
      // The .eml last: when it exists, the message is complete.
      await put(`${name}.eml`, raw, 'message/rfc822');
    } catch (e) {
      await this.store.delete(written).catch(() => {});
      throw e;
    }
    return this.store.locate(key(`${name}.eml`));
  }
}
