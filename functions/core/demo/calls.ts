/**
 * The demo's calls of one day: arrivals on the office-hours curve, queue waits against a
 * patience model (abandoned or voicemail when patience runs out), a few blocked calls, outbound
 * calls that go unanswered, and answered calls with talk, hold and after-call work.
 */
import { AGENTS, QUEUES } from './cast.ts';
import { arrival } from './random.ts';
import { type DemoDay, type DemoWorld, iso, type Row } from './world.ts';

/** How an inbound or outbound call ended, given it was not blocked: the outcome columns. */
function callOutcome(
  w: DemoWorld,
  d: DemoDay,
  call: { inbound: boolean; queue: string; started: number; agent: (typeof AGENTS)[number] },
): Row {
  const { r } = w;
  const { inbound, queue, started, agent } = call;
  if (inbound && r.chance(0.01)) {
    return { started_at: iso(started), ended_at: iso(started + r.int(1, 4) * 1000), outcome: 'blocked' };
  }
  const wait = inbound ? r.exp((queue === 'vip' ? 4 : 8) * d.stress) : r.exp(6);
  const patience = r.exp(170);
  if (inbound && wait > patience) {
    return {
      started_at: iso(started),
      ended_at: iso(started + Math.round(patience * 1000)),
      outcome: r.chance(0.1) ? 'voicemail' : 'abandoned',
    };
  }
  if (!inbound && r.chance(0.25)) {
    return {
      started_at: iso(started),
      ended_at: iso(started + 30_000),
      outcome: 'no_answer',
      agent_id: agent.id,
    };
  }
  const answered = started + Math.round(wait * 1000);
  const talk = Math.round(Math.max(20, r.logn(270, 0.55)));
  const hold = r.chance(0.2) ? r.int(10, 120) : 0;
  return {
    agent_id: agent.id,
    started_at: iso(started),
    answered_at: iso(answered),
    ended_at: iso(answered + (talk + hold) * 1000),
    outcome: 'answered',
    talk_seconds: talk,
    hold_seconds: hold,
    acw_seconds: r.int(15, 90),
    transferred: r.chance(0.06) ? 'true' : 'false',
    cost: (talk / 60) * 1200,
  };
}

export function dayCalls(w: DemoWorld, d: DemoDay): Row[] {
  const { r } = w;
  const calls: Row[] = [];
  const nCalls = Math.round(r.logn(400 * w.scale * d.load, 0.12));
  for (let i = 0; i < nCalls; i++) {
    w.next.call++;
    const inbound = r.chance(0.85);
    const started = arrival(r, d.day, w.tz);
    const queue = r.weighted(QUEUES);
    const agent = r.pick(AGENTS);
    const call: Row = {
      call_id: `CALL-${String(w.next.call).padStart(7, '0')}`,
      direction: inbound ? 'inbound' : 'outbound',
      queue: inbound ? queue : '',
      // Most callers are one-off numbers; a third are known customers, who sometimes call back.
      customer_id: r.chance(0.7) ? `+98912${String(r.int(0, 9_999_999)).padStart(7, '0')}` : w.customerOf(),
    };
    calls.push(Object.assign(call, callOutcome(w, d, { inbound, queue, started, agent })));
  }
  return calls;
}
