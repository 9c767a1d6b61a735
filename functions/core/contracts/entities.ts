/**
 * The seven input entities of the generic format as zod schemas, and which column identifies a
 * record and which timestamp partitions it.
 *
 * The zod object of an entity is the single source of truth: validation runs it (and the compiled
 * validator made from it, validator.ts), and the curated table's column list and types (Parquet
 * locally and in S3, the Glue tables in AWS, the DuckDB views) are read off it through each
 * field's `meta()` (columns.ts).
 */
import { z } from 'zod';
import { CALL_RULES, CUSTOMER_RULES, costRules, SURVEY_RULES, TICKET_RULES } from './entity-rules.ts';
import {
  bool,
  type ContractContext,
  calendarDate,
  currencyCode,
  num,
  oneOf,
  text,
  timestampsIn,
  yearMonth,
} from './fields.ts';
import { withRules } from './rules.ts';

export const ENTITIES = ['tickets', 'calls', 'surveys', 'customers', 'costs', 'plans', 'followups'] as const;
export type Entity = (typeof ENTITIES)[number];

export function isEntity(s: string): s is Entity {
  return (ENTITIES as readonly string[]).includes(s);
}

function ticketsSchema(ctx: ContractContext) {
  const ts = timestampsIn(ctx);
  return withRules(
    z.object({
      ticket_id: text(true, true),
      created_at: ts(true),
      updated_at: ts(false),
      channel: oneOf(['phone', 'email', 'chat', 'web', 'social', 'other'], true),
      type: oneOf(['request', 'complaint', 'incident', 'question', 'other'], false, 'request'),
      priority: oneOf(['low', 'normal', 'high', 'urgent'], false),
      status: oneOf(['new', 'open', 'pending', 'on_hold', 'solved', 'closed'], true),
      customer_id: text(true, true),
      agent_id: text(false),
      team: text(false),
      assigned_at: ts(false),
      first_response_at: ts(false),
      resolved_at: ts(false),
      closed_at: ts(false),
      due_at: ts(false),
      agent_messages: num(false, { integer: true, min: 0 }),
      customer_messages: num(false, { integer: true, min: 0 }),
      contacts: num(false, { integer: true, min: 1 }),
      handoffs: num(false, { integer: true, min: 0 }),
      escalated: bool(false),
      reopens: num(false, { integer: true, min: 0 }),
      incident_key: text(false),
    }),
    TICKET_RULES,
  );
}

function callsSchema(ctx: ContractContext) {
  const ts = timestampsIn(ctx);
  return withRules(
    z.object({
      call_id: text(true, true),
      direction: oneOf(['inbound', 'outbound'], true),
      queue: text(false),
      agent_id: text(false),
      customer_id: text(false, true),
      started_at: ts(true),
      answered_at: ts(false),
      ended_at: ts(true),
      outcome: oneOf(['answered', 'abandoned', 'blocked', 'callback', 'voicemail', 'no_answer'], true),
      talk_seconds: num(false, { min: 0 }),
      hold_seconds: num(false, { min: 0 }),
      acw_seconds: num(false, { min: 0 }),
      transferred: bool(false),
      initial_call_id: text(false, true),
      cost: num(false, { min: 0 }),
    }),
    CALL_RULES,
  );
}

function surveysSchema(ctx: ContractContext) {
  const ts = timestampsIn(ctx);
  return withRules(
    z.object({
      response_id: text(true, true),
      survey: oneOf(['csat', 'nps', 'ces', 'enps', 'collaboration'], true),
      score: num(true),
      scale_min: num(false),
      scale_max: num(false),
      responded_at: ts(true),
      customer_id: text(false, true),
      ticket_id: text(false, true),
      call_id: text(false, true),
      agent_id: text(false),
    }),
    SURVEY_RULES,
  );
}

function customersSchema(ctx: ContractContext) {
  const ts = timestampsIn(ctx);
  return withRules(
    z.object({
      customer_id: text(true, true),
      created_at: ts(true),
      churned_at: ts(false),
      last_active_at: ts(false),
      key_account: bool(false, false),
      revenue_to_date: num(false, { min: 0 }),
      updated_at: ts(false),
    }),
    CUSTOMER_RULES,
  );
}

function costsSchema(ctx: ContractContext) {
  return withRules(
    z.object({
      cost_id: text(true, true),
      date: calendarDate(true),
      kind: oneOf(['actual', 'budget'], true),
      category: oneOf(['staff', 'telephony', 'software', 'facilities', 'other'], false, 'other'),
      amount: num(true, { min: 0 }),
      currency: currencyCode(),
    }),
    costRules(ctx),
  );
}

function plansSchema() {
  return withRules(
    z.object({
      plan_id: text(true, true),
      month: yearMonth(true),
      kind: oneOf(
        ['work_plan', 'customer_survey', 'process_improvement', 'standards_execution', 'info_relay', 'other'],
        true,
      ),
      planned: num(true, { gt: 0 }),
      achieved: num(true, { min: 0 }),
    }),
    {},
  );
}

function followupsSchema(ctx: ContractContext) {
  const ts = timestampsIn(ctx);
  return withRules(
    z.object({
      followup_id: text(true, true),
      customer_id: text(true, true),
      planned_at: ts(true),
      done_at: ts(false),
      key_account: bool(false, false),
    }),
    {},
  );
}

/** The contract of every entity, for one deployment's source time zone and currency. */
export function contractSchemas(ctx: ContractContext) {
  return {
    tickets: ticketsSchema(ctx),
    calls: callsSchema(ctx),
    surveys: surveysSchema(ctx),
    customers: customersSchema(ctx),
    costs: costsSchema(ctx),
    plans: plansSchema(),
    followups: followupsSchema(ctx),
  } satisfies Record<Entity, z.ZodType>;
}

export type ContractSchemas = ReturnType<typeof contractSchemas>;
export type EntityRow<E extends Entity> = z.output<ContractSchemas[E]>;

/** Which column identifies a record, and which timestamp puts it into a `dt` partition. */
export const ENTITY_KEYS: Record<Entity, { id: string; partitionBy: string }> = {
  tickets: { id: 'ticket_id', partitionBy: 'created_at' },
  calls: { id: 'call_id', partitionBy: 'started_at' },
  surveys: { id: 'response_id', partitionBy: 'responded_at' },
  customers: { id: 'customer_id', partitionBy: 'created_at' },
  costs: { id: 'cost_id', partitionBy: 'date' },
  plans: { id: 'plan_id', partitionBy: 'month' },
  followups: { id: 'followup_id', partitionBy: 'planned_at' },
};
