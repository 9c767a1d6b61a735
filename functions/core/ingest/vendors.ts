/**
 * Registers the vendor source mappings (reference: docs/contracts.md and docs/mappings/) beside
 * the generic one. Import this module once, for its effect, wherever files are ingested.
 */
import { amazonConnectMapping } from './amazon-connect.ts';
import { freshdeskMapping } from './freshdesk.ts';
import { registerSource } from './sources.ts';
import { twilioMapping } from './twilio.ts';
import { zendeskMapping } from './zendesk.ts';

export const VENDOR_MAPPINGS = [
  zendeskMapping,
  freshdeskMapping,
  amazonConnectMapping,
  twilioMapping,
] as const;

for (const m of VENDOR_MAPPINGS) registerSource(m);
