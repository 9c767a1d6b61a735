-- Call KPIs (spec: kpis.md "Calls") for every period of the run, overall and by queue
-- (avg_handle_time_seconds and calls_per_agent also by agent).
--
-- offered = an inbound call that reached a queue (outcome <> 'blocked'); wait = answered_at -
-- started_at when answered, else ended_at - started_at; a short abandon (abandoned, wait <
-- shortAbandonSeconds) is left out of service level, abandonment and abandon time.
-- call_fcr_pct looks at the customer's next inbound call, so the scan reaches repeatContactDays
-- past the run; a call whose window has not closed at the as-of time is not counted, even when a
-- repeat has already happened (counting only the known failures would bias the rate down).
-- A later leg of a transfer chain (initial_call_id set and not the call itself) is the same
-- customer call continued, not a new call the customer made: it is neither a repeat of the chain
-- nor a call of its own for call_fcr_pct (Amazon Connect maps TRANSFER contacts as inbound).
-- calls_answered_per_hour counts the clock hours (reporting zone) of the answered calls'
-- started_at, the same timestamp that puts a call into a period, so every hour of the denominator
-- lies inside the period.
-- max_queue_wait_seconds takes the wait above of every offered call (callback / voicemail /
-- no_answer: ended_at - started_at too), short abandons included: the KPI names no exclusion.
-- cost_per_inbound_call divides the period's actual costs by its inbound calls (overall only): no
-- actual cost booked gives 0, no inbound call NULL (budget rows are ignored).
WITH periods (period_start, period_end) AS (
  VALUES {{periods}}
),
calls_latest AS (
  -- A call may be delivered more than once (CTR at-least-once, re-exports): the latest load wins.
  SELECT *
  FROM (
    SELECT
      c.*,
      row_number() OVER (
        PARTITION BY c.call_id
        ORDER BY c._ingested_at DESC, c._source_file DESC, c._record DESC
      ) AS snapshot_rank
    FROM {{lake_schema}}.calls AS c
    WHERE c.dt BETWEEN {{scan_from}} AND {{scan_to_repeat}}
  ) AS ranked
  WHERE snapshot_rank = 1
),
call_facts AS (
  SELECT
    call_id,
    direction = 'inbound' AS inbound,
    coalesce(queue, '(none)') AS queue,
    agent_id,
    CAST(started_at AT TIME ZONE {{tz}} AS date) AS started_day,
    -- The clock hour (reporting zone) the call started in, as the epoch milliseconds of the instant
    -- that hour began: calls in one local hour share it even where the zone's offset is not a whole
    -- hour (Asia/Tehran), and the two 02:00 hours of a DST fall-back night stay two hours (a bare
    -- local wall-clock value would merge them; Trino and DuckDB also compare those differently).
    round(1000 * to_unixtime(started_at))
      - round(1000 * (to_unixtime(started_at AT TIME ZONE {{tz}}) - to_unixtime(date_trunc('hour', started_at AT TIME ZONE {{tz}}))))
      AS started_hour,
    direction = 'inbound' AND outcome <> 'blocked' AS offered,
    outcome = 'answered' AS answered,
    outcome = 'abandoned' AS abandoned,
    CAST(round(1000 * (to_unixtime(coalesce(answered_at, ended_at)) - to_unixtime(started_at))) AS DOUBLE) / 1000 AS wait_seconds,
    talk_seconds,
    coalesce(talk_seconds, 0) + coalesce(hold_seconds, 0) + coalesce(acw_seconds, 0) AS handle_seconds,
    coalesce(transferred, false) AS transferred,
    -- First contact resolution: the same customer's next inbound call, and whether the window closed.
    customer_id IS NOT NULL AND direction = 'inbound' AND outcome = 'answered'
      AND coalesce(initial_call_id, call_id) = call_id
      AND round(1000 * (to_unixtime({{as_of}}) - to_unixtime(started_at))) >= {{repeat_window_ms}} AS fcr_decided,
    coalesce(
      round(1000 * (to_unixtime(lead(started_at) OVER (
          PARTITION BY CASE
            WHEN direction = 'inbound' AND coalesce(initial_call_id, call_id) = call_id THEN customer_id
          END
          ORDER BY started_at, call_id
        )) - to_unixtime(started_at))) <= {{repeat_window_ms}},
      false
    ) AS repeated_within_window
  FROM calls_latest
),
costs_latest AS (
  SELECT *
  FROM (
    SELECT
      c.*,
      row_number() OVER (
        PARTITION BY c.cost_id
        ORDER BY c._ingested_at DESC, c._source_file DESC, c._record DESC
      ) AS snapshot_rank
    FROM {{lake_schema}}.costs AS c
    WHERE c.dt BETWEEN {{from_date}} AND {{to_date}}
  ) AS ranked
  WHERE snapshot_rank = 1
),
period_costs AS (
  SELECT p.period_start, CAST(sum(CAST(c.amount AS DECIMAL(38, 6))) AS DOUBLE) AS actual_cost
  FROM costs_latest AS c
  JOIN periods AS p ON c.date BETWEEN p.period_start AND p.period_end
  WHERE c.kind = 'actual'
  GROUP BY p.period_start
),
call_period_rows AS (
  SELECT p.period_start, p.period_end, f.*
  FROM call_facts AS f
  JOIN periods AS p ON f.started_day BETWEEN p.period_start AND p.period_end
  UNION ALL
  -- One empty row per period (every call column NULL, which every count and count_if below skips),
  -- so every period gets its overall row even without calls.
  SELECT p.period_start, p.period_end, f.*
  FROM periods AS p
  LEFT JOIN (SELECT * FROM call_facts WHERE false) AS f ON true
),
call_periods AS (
  SELECT
    f.*,
    f.abandoned AND f.wait_seconds < {{short_abandon_seconds}} AS short_abandon
  FROM call_period_rows AS f
),
measures AS (
  SELECT
    period_start,
    period_end,
    CASE WHEN grouping(queue) = 0 THEN 'queue' WHEN grouping(agent_id) = 0 THEN 'agent' ELSE 'all' END AS dimension,
    CASE WHEN grouping(queue) = 0 THEN queue WHEN grouping(agent_id) = 0 THEN agent_id ELSE 'all' END
      AS dimension_value,
    count(call_id) AS calls,
    count_if(inbound) AS inbound_calls,
    -- inbound, answered
    count_if(inbound AND answered) AS inbound_answered,
    count(DISTINCT CASE WHEN inbound AND answered THEN started_hour END) AS hours_with_answers,
    CAST(coalesce(sum(CASE WHEN inbound AND answered THEN CAST(round(1000 * wait_seconds) AS BIGINT) END), 0) AS DOUBLE) / 1000 AS answer_wait_sum,
    -- offered, short abandons left out
    count_if(offered AND NOT short_abandon) AS offered,
    count_if(offered AND abandoned AND NOT short_abandon) AS abandoned,
    CAST(coalesce(sum(CASE WHEN offered AND abandoned AND NOT short_abandon THEN CAST(round(1000 * wait_seconds) AS BIGINT) END), 0) AS DOUBLE) / 1000 AS abandon_wait_sum,
    count_if(offered AND answered AND wait_seconds <= {{service_level_seconds}}) AS answered_in_threshold,
    count_if(offered) AS offered_all,
    max(CASE WHEN offered THEN wait_seconds END) AS max_wait,
    -- answered, both directions
    count_if(answered) AS answered,
    count_if(answered AND talk_seconds IS NOT NULL) AS answered_with_talk,
    CAST(coalesce(sum(CASE WHEN answered THEN CAST(round(1000 * talk_seconds) AS BIGINT) END), 0) AS DOUBLE) / 1000 AS talk_sum,
    max(CASE WHEN answered THEN talk_seconds END) AS talk_max,
    CAST(coalesce(sum(CASE WHEN answered THEN CAST(round(1000 * handle_seconds) AS BIGINT) END), 0) AS DOUBLE) / 1000 AS handle_sum,
    count_if(answered AND transferred) AS transferred,
    count_if(answered AND agent_id IS NOT NULL) AS answered_by_agents,
    count(DISTINCT CASE WHEN answered AND agent_id IS NOT NULL THEN concat(agent_id, '|', CAST(started_day AS varchar)) END)
      AS agent_days,
    -- first contact resolution
    count_if(fcr_decided) AS fcr_calls,
    count_if(fcr_decided AND NOT repeated_within_window) AS fcr_resolved
  FROM call_periods
  GROUP BY GROUPING SETS ((period_start, period_end), (period_start, period_end, queue), (period_start, period_end, agent_id))
),
kpi_dimensions (kpi_id, dimension) AS (
  -- The dimensions each KPI is reported by, rendered from the catalog (functions/core/catalog.ts).
  VALUES {{kpi_dimensions}}
),
kpi_rows AS (
  -- Per measures row, an array of one row per KPI: (kpi_id, value kind, numerator, denominator,
  -- sample size). Numerators and denominators are DOUBLE and sample sizes counts in every element,
  -- so the array has one element type.
  SELECT
    m.period_start,
    m.period_end,
    m.dimension,
    m.dimension_value,
    ARRAY[
      ROW('calls_total', 'count', CAST(m.calls AS DOUBLE), CAST(NULL AS DOUBLE), m.calls),
      ROW('calls_answered_per_hour', 'mean', CAST(m.inbound_answered AS DOUBLE), CAST(m.hours_with_answers AS DOUBLE), m.inbound_answered),
      ROW('service_level_pct', 'pct', CAST(m.answered_in_threshold AS DOUBLE), CAST(m.offered AS DOUBLE), m.offered),
      ROW('avg_speed_of_answer_seconds', 'mean', m.answer_wait_sum, CAST(m.inbound_answered AS DOUBLE), m.inbound_answered),
      ROW('max_queue_wait_seconds', 'max', m.max_wait, CAST(NULL AS DOUBLE), m.offered_all),
      ROW('abandonment_rate_pct', 'pct', CAST(m.abandoned AS DOUBLE), CAST(m.offered AS DOUBLE), m.offered),
      ROW('avg_abandon_time_seconds', 'mean', m.abandon_wait_sum, CAST(m.abandoned AS DOUBLE), m.abandoned),
      ROW('avg_talk_time_minutes', 'mean', CAST(m.talk_sum AS DOUBLE) / 60, CAST(m.answered_with_talk AS DOUBLE), m.answered_with_talk),
      ROW('max_call_minutes', 'max', CAST(m.talk_max AS DOUBLE) / 60, CAST(NULL AS DOUBLE), m.answered_with_talk),
      ROW('avg_handle_time_seconds', 'mean', m.handle_sum, CAST(m.answered AS DOUBLE), m.answered),
      ROW('transfer_rate_pct', 'pct', CAST(m.transferred AS DOUBLE), CAST(m.answered AS DOUBLE), m.answered),
      ROW('calls_per_agent', 'mean', CAST(m.answered_by_agents AS DOUBLE), CAST(m.agent_days AS DOUBLE), m.answered_by_agents),
      ROW('call_fcr_pct', 'pct', CAST(m.fcr_resolved AS DOUBLE), CAST(m.fcr_calls AS DOUBLE), m.fcr_calls),
      ROW('cost_per_inbound_call', 'mean', coalesce(pc.actual_cost, 0), CAST(m.inbound_calls AS DOUBLE), m.inbound_calls)
    ] AS kpis
  FROM measures AS m
  LEFT JOIN period_costs AS pc ON pc.period_start = m.period_start AND m.dimension = 'all'
),
kpi_values AS (
  SELECT
    k.kpi_id,
    k.value_kind,
    m.period_start,
    m.period_end,
    m.dimension,
    m.dimension_value,
    k.numerator,
    k.denominator,
    k.sample_size
  -- UNNEST of the array column (not of an ARRAY[...] written here): DuckDB unnests a column in
  -- place, where an expression over many measure columns would cost it a join back.
  FROM kpi_rows AS m
  CROSS JOIN UNNEST(m.kpis) AS k (kpi_id, value_kind, numerator, denominator, sample_size)
  JOIN kpi_dimensions AS d ON d.kpi_id = k.kpi_id AND d.dimension = m.dimension
)
SELECT
  kpi_id,
  period_start,
  period_end,
  dimension,
  dimension_value,
  CASE value_kind
    WHEN 'count' THEN numerator
    WHEN 'max' THEN numerator
    WHEN 'mean' THEN CAST(numerator AS DOUBLE) / nullif(denominator, 0)
    WHEN 'pct' THEN CAST(100 * numerator AS DOUBLE) / nullif(denominator, 0)
  END AS value,
  CASE WHEN value_kind IN ('count', 'max') THEN NULL ELSE numerator END AS numerator,
  CASE WHEN value_kind IN ('count', 'max') THEN NULL ELSE denominator END AS denominator,
  CAST(coalesce(sample_size, 0) AS BIGINT) AS sample_size
FROM kpi_values
-- Overall rows always; a dimension row only where the KPI has records in that group.
WHERE dimension = 'all' OR (dimension_value IS NOT NULL AND coalesce(sample_size, 0) > 0)
