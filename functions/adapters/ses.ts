/**
 * MailDelivery over Amazon SES (SendRawEmail): the already-built raw MIME, unchanged (display
 * names are RFC 2047-encoded by mime.ts, as SES requires). `identity` is the verified SES
 * identity: an address is used as the envelope sender (Source) as is; for a domain identity the
 * message's From address is used and must belong to that domain.
 */
import { type SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { bareAddress } from '../core/digest/mime.ts';
import type { MailDelivery, MailMessage } from '../core/ports.ts';

export interface SesDeliveryOptions {
  client: SESClient;
  /** Verified identity: `kpi@example.com` or `example.com`. */
  identity: string;
  /** SES configuration set (event publishing, suppression). @default none */
  configurationSet?: string;
}

export class SesDelivery implements MailDelivery {
  constructor(private readonly options: SesDeliveryOptions) {}

  /** The envelope sender for a message. */
  source(message: MailMessage): string {
    const { identity } = this.options;
    if (identity.includes('@')) return identity;
    const from = bareAddress(message.from);
    if (!from.toLowerCase().endsWith(`@${identity.toLowerCase()}`)) {
      throw new Error(`SES: From address ${from} is not in the verified domain ${identity} (digest.from)`);
    }
    return from;
  }

  /** Sends the message; returns the SES MessageId. */
  async deliver(message: MailMessage, raw: Uint8Array): Promise<string> {
    if (message.to.length === 0) throw new Error('SES: the message has no recipients');
    const out = await this.options.client.send(
      new SendRawEmailCommand({
        Source: this.source(message),
        Destinations: message.to.map(bareAddress),
        RawMessage: { Data: raw },
        ...(this.options.configurationSet ? { ConfigurationSetName: this.options.configurationSet } : {}),
      }),
    );
    return out.MessageId ?? '';
  }
}
