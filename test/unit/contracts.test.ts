import { describe, expect, it } from 'vitest';
import { contractSchemas, ENTITIES, ENTITY_KEYS, entityColumns } from '../../functions/core/contracts.ts';

const s = contractSchemas({ sourceTimezone: 'Asia/Tehran', currency: 'IRR' });
const issues = (r: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];

describe('contracts: columns read off the zod schemas', () => {
  it('lists the columns of contracts.md for every entity, in order', () => {
    // Assess
    expect(entityColumns('calls').map((c) => c.name)).toEqual([
      'call_id',
      'direction',
      'queue',
      'agent_id',
      'customer_id',
      'started_at',
      'answered_at',
      'ended_at',
      'outcome',
      'talk_seconds',
      'hold_seconds',
      'acw_seconds',
      'transferred',
      'initial_call_id',
      'cost',
    ]);
    expect(entityColumns('tickets')).toHaveLength(22);
    expect(entityColumns('tickets').find((c) => c.name === 'created_at')).toMatchObject({
      kind: 'timestamp',
      required: true,
    });
    expect(entityColumns('tickets').find((c) => c.name === 'channel')?.values).toContain('social');
    expect(entityColumns('costs').find((c) => c.name === 'date')?.kind).toBe('date');
    for (const e of ENTITIES) expect(entityColumns(e).length).toBeGreaterThan(3);
  });

  it('marks every record id, and customer ids, as distinct text (stored without a dictionary)', () => {
    // Assess: the id of each entity, and low-cardinality text (agents, queues, teams) not.
    for (const e of ENTITIES) {
      const id = entityColumns(e).find((c) => c.name === ENTITY_KEYS[e].id);
      expect(id, e).toMatchObject({ kind: 'string', distinct: true });
    }
    const calls = entityColumns('calls');
    expect(calls.filter((c) => c.distinct).map((c) => c.name)).toEqual([
      'call_id',
      'customer_id',
      'initial_call_id',
    ]);
    expect(
      entityColumns('tickets')
        .filter((c) => c.distinct)
        .map((c) => c.name),
    ).toEqual(['ticket_id', 'customer_id']);
  });
});

describe('contracts: tickets', () => {
  const base = {
    ticket_id: 'T1',
    created_at: '2024-03-20T10:00:00Z',
    channel: 'email',
    status: 'open',
    customer_id: 'C1',
  };

  it('coerces text, keeps Unicode byte for byte, reads offset-less times in sourceTimezone', () => {
    // Act
    const r = s.tickets.safeParse({
      ...base,
      created_at: '2024-03-20 23:50',
      channel: 'EMAIL',
      team: 'پشتیبانی تهران',
      agent_id: '王芳',
      escalated: 'Yes',
      agent_messages: '3',
      unknown_column: 'ignored',
    });
    // Assess: 23:50 in Tehran (+03:30) is 20:20 UTC.
    expect(r.success).toBe(true);
    expect(r.data).toMatchObject({
      created_at: Date.parse('2024-03-20T20:20:00Z'),
      channel: 'email',
      type: 'request',
      team: 'پشتیبانی تهران',
      agent_id: '王芳',
      escalated: true,
      agent_messages: 3,
    });
    expect(r.data).not.toHaveProperty('unknown_column');
  });

  it('treats empty strings as missing, and missing required fields as errors', () => {
    // Act
    const r = s.tickets.safeParse({ ...base, ticket_id: '', agent_id: '', first_response_at: '' });
    // Assess
    expect(issues(r)).toEqual(['ticket_id: required']);
  });

  it.each([
    [{ created_at: '2024-02-30T10:00:00Z' }, 'created_at: not an ISO-8601 timestamp: "2024-02-30T10:00:00Z"'],
    [{ channel: 'fax' }, 'channel: expected one of phone, email, chat, web, social, other; got "fax"'],
    [{ agent_messages: '-1' }, 'agent_messages: must be ≥ 0'],
    [{ contacts: '0' }, 'contacts: must be ≥ 1'],
    [{ reopens: '1.5' }, 'reopens: expected an integer'],
    [{ escalated: 'maybe' }, 'escalated: expected true/false, 1/0 or yes/no; got "maybe"'],
    [
      { first_response_at: '2024-03-20T09:00:00Z' },
      'first_response_at: first_response_at is before created_at',
    ],
    [{ status: 'solved' }, 'status: status solved needs resolved_at or closed_at'],
  ])('quarantines %j with a reason', (patch, reason) => {
    // Act
    const r = s.tickets.safeParse({ ...base, ...patch });
    // Assess
    expect(r.success).toBe(false);
    expect(issues(r)).toContain(reason);
  });
});

describe('contracts: calls', () => {
  const base = {
    call_id: 'K1',
    direction: 'inbound',
    started_at: '2024-03-20T10:00:00Z',
    answered_at: '2024-03-20T10:00:30Z',
    ended_at: '2024-03-20T10:05:30Z',
    outcome: 'answered',
  };

  it('derives talk = ended − answered − hold and defaults hold and after-call work to 0', () => {
    // Act
    const r = s.calls.safeParse({ ...base, hold_seconds: '20' });
    // Assess: 300 s between answer and end, minus 20 s hold.
    expect(r.data).toMatchObject({ talk_seconds: 280, hold_seconds: 20, acw_seconds: 0 });
  });

  it.each([
    [{ ended_at: '2024-03-20T09:59:00Z', answered_at: '' }, 'ended_at: ended_at is before started_at'],
    [
      { answered_at: '2024-03-20T11:00:00Z' },
      'answered_at: answered_at is not between started_at and ended_at',
    ],
    [{ answered_at: '' }, 'outcome: outcome answered needs answered_at'],
    [{ outcome: 'abandoned' }, 'outcome: outcome abandoned must not have answered_at'],
  ])('enforces consistency: %j', (patch, reason) => {
    expect(issues(s.calls.safeParse({ ...base, ...patch }))).toContain(reason);
  });
});

describe('contracts: surveys, costs, plans, customers, followups', () => {
  it('applies the default scale per survey type and checks the score against it', () => {
    const t = '2024-03-20T10:00:00Z';
    expect(
      s.surveys.safeParse({ response_id: '1', survey: 'nps', score: '10', responded_at: t }).data,
    ).toMatchObject({
      scale_min: 0,
      scale_max: 10,
    });
    expect(
      issues(s.surveys.safeParse({ response_id: '1', survey: 'csat', score: '6', responded_at: t })),
    ).toEqual(['score: score 6 is outside the scale 1–5']);
    expect(
      issues(
        s.surveys.safeParse({
          response_id: '1',
          survey: 'ces',
          score: 2,
          scale_min: 5,
          scale_max: 5,
          responded_at: t,
        }),
      ),
    ).toEqual(['scale_max: scale_max (5) must exceed scale_min (5)']);
  });

  it('quarantines a cost in another currency than the deployment', () => {
    const row = { cost_id: 'x', date: '2024-03-20', kind: 'actual', amount: '10', currency: 'usd' };
    expect(issues(s.costs.safeParse(row))).toEqual([
      "currency: currency USD differs from the deployment's IRR",
    ]);
    expect(s.costs.safeParse({ ...row, currency: 'IRR' }).data).toMatchObject({
      category: 'other',
      amount: 10,
    });
    expect(issues(s.costs.safeParse({ ...row, currency: 'IRR', date: '2024-02-30' }))).toEqual([
      'date: expected a date (YYYY-MM-DD)',
    ]);
  });

  it('checks plans, customers and followups', () => {
    expect(
      issues(
        s.plans.safeParse({ plan_id: 'p', month: '2024-13', kind: 'work_plan', planned: 0, achieved: 1 }),
      ),
    ).toEqual(['month: expected a month (YYYY-MM)', 'planned: must be > 0']);
    expect(
      s.customers.safeParse({ customer_id: 'c', created_at: '2024-01-01T00:00:00Z' }).data?.key_account,
    ).toBe(false);
    expect(
      issues(
        s.customers.safeParse({
          customer_id: 'c',
          created_at: '2024-01-02T00:00:00Z',
          churned_at: '2024-01-01T00:00:00Z',
        }),
      ),
    ).toEqual(['churned_at: churned_at is before created_at']);
    expect(
      s.followups.safeParse({ followup_id: 'f', customer_id: 'c', planned_at: '2024-01-01T09:00:00+03:30' })
        .success,
    ).toBe(true);
  });
});
