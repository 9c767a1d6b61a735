-- Cost KPIs (spec: kpis.md "Customers, follow-ups, costs, plans") for every period of the run.
-- Costs are booked on a date (no time), so the date is the day.
WITH periods (period_start, period_end) AS (
  VALUES {{periods}}
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
cost_periods AS (
  SELECT p.period_start, p.period_end, c.kind, c.amount
  FROM costs_latest AS c
  JOIN periods AS p ON c.date BETWEEN p.period_start AND p.period_end
  UNION ALL
  -- One empty row per period (every cost column NULL, which every sum and count_if below skips),
  -- so every period gets its overall row even without costs.
  SELECT p.period_start, p.period_end, c.kind, c.amount
  FROM periods AS p
  LEFT JOIN (SELECT * FROM costs_latest WHERE false) AS c ON true
),
measures AS (
  SELECT
    period_start,
    period_end,
    'all' AS dimension,
    'all' AS dimension_value,
    CAST(sum(CASE WHEN kind = 'actual' THEN CAST(amount AS DECIMAL(38, 6)) END) AS DOUBLE) AS actual,
    CAST(sum(CASE WHEN kind = 'budget' THEN CAST(amount AS DECIMAL(38, 6)) END) AS DOUBLE) AS budget,
    count_if(kind = 'actual') AS actual_rows,
    count_if(kind = 'budget') AS budget_rows
  FROM cost_periods
  GROUP BY period_start, period_end
),
kpi_rows AS (
  -- Per measures row, an array of one row per KPI: (kpi_id, value kind, numerator, denominator,
  -- sample size). A period without budget rows has budget 0 (so its value is NULL) but keeps its
  -- actual costs in the numerators: daily numerators and denominators then add up to the month's.
  SELECT
    m.period_start,
    m.period_end,
    m.dimension,
    m.dimension_value,
    ARRAY[
      ROW('operating_cost', 'count', coalesce(m.actual, 0), CAST(NULL AS DOUBLE), m.actual_rows),
      ROW('budget_utilization_pct', 'pct', coalesce(m.actual, 0), coalesce(m.budget, 0), m.actual_rows + m.budget_rows),
      ROW('budget_savings_pct', 'pct', coalesce(m.budget, 0) - coalesce(m.actual, 0), coalesce(m.budget, 0), m.actual_rows + m.budget_rows)
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
