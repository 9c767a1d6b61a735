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
followup_periods AS (
  SELECT
    p.period_start,
    p.period_end,
    f.planned_day BETWEEN p.period_start AND p.period_end AS planned_in_period,
    f.done_day IS NOT NULL AS done,
    f.key_account AND coalesce(f.done_day BETWEEN p.period_start AND p.period_end, false) AS key_account_done_in_period
  FROM followup_days AS f
  JOIN periods AS p
    ON f.planned_day BETWEEN p.period_start AND p.period_end
    OR f.done_day BETWEEN p.period_start AND p.period_end
  UNION ALL
  SELECT period_start, period_end, false, false, false
  FROM periods
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
kpi_values AS (
  SELECT
    k.kpi_id,
    k.value_kind,
    m.period_start,
    m.period_end,
    m.dimension,
    m.dimension_value,
    CASE k.kpi_id
      WHEN 'callback_completion_pct' THEN CAST(m.planned_done AS DOUBLE)
      WHEN 'key_account_callbacks' THEN CAST(m.key_account_done AS DOUBLE)
    END AS numerator,
    CASE k.kpi_id
      WHEN 'callback_completion_pct' THEN CAST(m.planned AS DOUBLE)
    END AS denominator,
    CASE k.kpi_id
      WHEN 'callback_completion_pct' THEN m.planned
      WHEN 'key_account_callbacks' THEN m.key_account_done
    END AS sample_size
  FROM measures AS m
  CROSS JOIN (
    VALUES
      ('callback_completion_pct', 'pct'),
      ('key_account_callbacks', 'count')
  ) AS k (kpi_id, value_kind)
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
