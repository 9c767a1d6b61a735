-- Follow-up KPIs (spec: kpis.md "Customers, follow-ups, costs, plans") for every period of the run.
-- A follow-up counts as done when done_at is set and not after the run's as-of time.
WITH periods (period_start, period_end) AS (
  VALUES {{periods}}
),
followups_latest AS (
  SELECT *
  FROM (
    SELECT
      f.*,
      row_number() OVER (
        PARTITION BY f.followup_id
        ORDER BY f._ingested_at DESC, f._source_file DESC, f._record DESC
      ) AS snapshot_rank
    FROM {{lake_schema}}.followups AS f
    WHERE f.dt <= {{scan_to}}
  ) AS ranked
  WHERE snapshot_rank = 1
),
followup_days AS (
  SELECT
    key_account,
    CAST(planned_at AT TIME ZONE {{tz}} AS date) AS planned_day,
    CASE WHEN done_at <= {{as_of}} THEN CAST(done_at AT TIME ZONE {{tz}} AS date) END AS done_day
  FROM followups_latest
),
followup_period_rows AS (
  SELECT p.period_start, p.period_end, f.*
  FROM followup_days AS f
  JOIN periods AS p
    ON f.planned_day BETWEEN p.period_start AND p.period_end
    OR f.done_day BETWEEN p.period_start AND p.period_end
  UNION ALL
  -- One empty row per period (every follow-up column NULL, which every count_if below skips),
  -- so every period gets its overall row even without follow-ups.
  SELECT p.period_start, p.period_end, f.*
  FROM periods AS p
  LEFT JOIN (SELECT * FROM followup_days WHERE false) AS f ON true
),
followup_periods AS (
  SELECT
    f.period_start,
    f.period_end,
    f.planned_day BETWEEN f.period_start AND f.period_end AS planned_in_period,
    f.done_day IS NOT NULL AS done,
    f.key_account AND coalesce(f.done_day BETWEEN f.period_start AND f.period_end, false) AS key_account_done_in_period
  FROM followup_period_rows AS f
),
measures AS (
  SELECT
    period_start,
    period_end,
    'all' AS dimension,
    'all' AS dimension_value,
    count_if(planned_in_period) AS planned,
    count_if(planned_in_period AND done) AS planned_done,
    count_if(key_account_done_in_period) AS key_account_done
  FROM followup_periods
  GROUP BY period_start, period_end
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
      ROW('callback_completion_pct', 'pct', CAST(m.planned_done AS DOUBLE), CAST(m.planned AS DOUBLE), m.planned),
      ROW('key_account_callbacks', 'count', CAST(m.key_account_done AS DOUBLE), CAST(NULL AS DOUBLE), m.key_account_done)
    ] AS kpis
  FROM measures AS m
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
)
SELECT
  kpi_id,
  period_start,
  period_end,
  dimension,
  dimension_value,
  CASE value_kind
    WHEN 'count' THEN numerator
    WHEN 'mean' THEN numerator / nullif(denominator, 0)
    WHEN 'pct' THEN 100 * numerator / nullif(denominator, 0)
  END AS value,
  CASE WHEN value_kind = 'count' THEN NULL ELSE numerator END AS numerator,
  CASE WHEN value_kind = 'count' THEN NULL ELSE denominator END AS denominator,
  CAST(coalesce(sample_size, 0) AS BIGINT) AS sample_size
FROM kpi_values
