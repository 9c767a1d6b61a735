/**
 * The row rules of each entity (see rules.ts): order of timestamps, status and outcome against
 * the timestamps that must go with them, survey scales, the deployment's currency; and the
 * defaults the contract derives (call talk/hold/after-call-work seconds, survey scale bounds).
 */
import type { ContractContext } from './fields.ts';
import { notBefore, type Row, type RowRules } from './rules.ts';

export const SURVEY_SCALES = {
  csat: [1, 5],
  nps: [0, 10],
  ces: [1, 7],
  enps: [0, 10],
  collaboration: [1, 5],
} as const;

export const TICKET_RULES: RowRules = {
  check(r, report) {
    for (const f of ['first_response_at', 'assigned_at', 'resolved_at', 'closed_at'])
      notBefore(report, r, f, 'created_at');
    if (
      (r.status === 'solved' || r.status === 'closed') &&
      r.resolved_at === undefined &&
      r.closed_at === undefined
    )
      report('status', `status ${r.status} needs resolved_at or closed_at`);
  },
};

export const CALL_RULES: RowRules = {
  check(row, report) {
    const r = row as { started_at: number; ended_at: number; answered_at?: number; outcome: string };
    if (r.ended_at < r.started_at) report('ended_at', 'ended_at is before started_at');
    if (r.answered_at !== undefined && (r.answered_at < r.started_at || r.answered_at > r.ended_at))
      report('answered_at', 'answered_at is not between started_at and ended_at');
    if ((r.outcome === 'answered') !== (r.answered_at !== undefined))
      report(
        'outcome',
        r.outcome === 'answered'
          ? 'outcome answered needs answered_at'
          : `outcome ${r.outcome} must not have answered_at`,
      );
  },
  finish(row) {
    const r = row as Row & {
      ended_at: number;
      answered_at?: number;
      hold_seconds?: number;
      talk_seconds?: number;
      acw_seconds?: number;
    };
    // Contract defaults: hold and after-call work 0; talk = ended − answered − hold.
    const hold = r.hold_seconds ?? 0;
    const talk =
      r.talk_seconds ??
      (r.answered_at !== undefined ? Math.max(0, (r.ended_at - r.answered_at) / 1000 - hold) : undefined);
    // In place: the row is a fresh object from the parser (zod's or the compiled one).
    r.hold_seconds = hold;
    r.acw_seconds = r.acw_seconds ?? 0;
    r.talk_seconds = talk;
    return r;
  },
};

function surveyScale(r: Row): [number, number] {
  const [dmin, dmax] = SURVEY_SCALES[r.survey as keyof typeof SURVEY_SCALES];
  return [(r.scale_min as number | undefined) ?? dmin, (r.scale_max as number | undefined) ?? dmax];
}

export const SURVEY_RULES: RowRules = {
  check(r, report) {
    const [scale_min, scale_max] = surveyScale(r);
    const score = r.score as number;
    if (scale_min >= scale_max)
      report('scale_max', `scale_max (${scale_max}) must exceed scale_min (${scale_min})`);
    else if (score < scale_min || score > scale_max)
      report('score', `score ${score} is outside the scale ${scale_min}–${scale_max}`);
  },
  finish(r) {
    const [scale_min, scale_max] = surveyScale(r);
    r.scale_min = scale_min;
    r.scale_max = scale_max;
    return r;
  },
};

export const CUSTOMER_RULES: RowRules = {
  check: (r, report) => notBefore(report, r, 'churned_at', 'created_at'),
};

export const costRules = (ctx: ContractContext): RowRules => ({
  check(r, report) {
    if (ctx.currency && r.currency && r.currency !== ctx.currency)
      report('currency', `currency ${r.currency} differs from the deployment's ${ctx.currency}`);
  },
});
