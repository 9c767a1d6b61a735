-- Plan KPIs (spec: kpis.md, plan_completion_pct): monthly only, overall and by plan_kind.
WITH periods (period_start, period_end) AS (
  VALUES {{periods}}
),
plans_latest AS (
  SELECT *
  FROM (
    SELECT
      pl.*,
      row_number() OVER (
        PARTITION BY pl.plan_id
        ORDER BY pl._ingested_at DESC, pl._source_file DESC, pl._record DESC
      ) AS snapshot_rank
    FROM {{lake_schema}}.plans AS pl
    WHERE pl.dt BETWEEN {{from_date}} AND {{to_date}}
  ) AS ranked
  WHERE snapshot_rank = 1
),
plan_periods AS (
  SELECT p.period_start, p.period_end, pl.kind, pl.planned, pl.achieved
  FROM plans_latest AS pl
  JOIN periods AS p ON pl.dt BETWEEN p.period_start AND p.period_end
  UNION ALL
  -- One empty row per period (every plan column NULL, which every sum and count below skips),
  -- so every period gets its overall row even without plans.
  SELECT p.period_start, p.period_end, pl.kind, pl.planned, pl.achieved
  FROM periods AS p
  LEFT JOIN (SELECT * FROM plans_latest WHERE false) AS pl ON true
),
measures AS (
  SELECT
    period_start,
    period_end,
    CASE WHEN grouping(kind) = 0 THEN 'plan_kind' ELSE 'all' END AS dimension,
    CASE WHEN grouping(kind) = 0 THEN kind ELSE 'all' END AS dimension_value,
    -- 0, not NULL, in a month without plans (the overall row), as every other empty denominator.
    CAST(coalesce(sum(CAST(achieved AS DECIMAL(38, 6))), 0) AS DOUBLE) AS achieved,
    CAST(coalesce(sum(CAST(planned AS DECIMAL(38, 6))), 0) AS DOUBLE) AS planned,
    count(planned) AS plans
  FROM plan_periods
  GROUP BY GROUPING SETS ((period_start, period_end), (period_start, period_end, kind))
)
SELECT
  'plan_completion_pct' AS kpi_id,
  period_start,
  period_end,
  dimension,
  dimension_value,
  100 * achieved / nullif(planned, 0) AS value,
  achieved AS numerator,
  planned AS denominator,
  CAST(plans AS BIGINT) AS sample_size
FROM measures
WHERE dimension = 'all' OR dimension_value IS NOT NULL
