-- Customer KPIs (spec: kpis.md "Customers") for every period of the run, overall.
-- The customers export is a snapshot; states at period start and end are rebuilt from
-- created_at / churned_at / last_active_at, as local days in the reporting zone.
WITH periods (period_start, period_end) AS (
  VALUES {{periods}}
),
customers_latest AS (
  SELECT *
  FROM (
    SELECT
      c.*,
      row_number() OVER (
        PARTITION BY c.customer_id
        ORDER BY c.updated_at DESC NULLS LAST, c._ingested_at DESC, c._source_file DESC, c._record DESC
      ) AS snapshot_rank
    FROM {{lake_schema}}.customers AS c
    WHERE c.dt <= {{scan_to}}
  ) AS ranked
  WHERE snapshot_rank = 1
),
customer_days AS (
  SELECT
    key_account,
    coalesce(revenue_to_date, 0) AS revenue_to_date,
    CAST(created_at AT TIME ZONE {{tz}} AS date) AS created_day,
    CAST(churned_at AT TIME ZONE {{tz}} AS date) AS churned_day,
    CAST(coalesce(last_active_at, created_at) AT TIME ZONE {{tz}} AS date) AS last_active_day
  FROM customers_latest
),
customer_period_rows AS (
  SELECT p.period_start, p.period_end, c.*
  FROM customer_days AS c
  JOIN periods AS p ON c.created_day <= p.period_end
  UNION ALL
  -- One empty row per period (every customer column NULL, which every count_if below skips),
  -- so every period gets its overall row even without customers.
  SELECT p.period_start, p.period_end, c.*
  FROM periods AS p
  LEFT JOIN (SELECT * FROM customer_days WHERE false) AS c ON true
),
customer_periods AS (
  SELECT
    c.period_start,
    c.period_end,
    c.revenue_to_date,
    c.created_day <= c.period_end AS created_by_end,
    c.created_day < c.period_start AND (c.churned_day IS NULL OR c.churned_day >= c.period_start) AS at_start,
    c.created_day <= c.period_end AND (c.churned_day IS NULL OR c.churned_day > c.period_end) AS at_end,
    c.created_day BETWEEN c.period_start AND c.period_end AS created_in_period,
    coalesce(c.churned_day BETWEEN c.period_start AND c.period_end, false) AS churned_in_period,
    -- Dormant: last activity (else creation) more than dormantDays before the end of the period.
    date_diff('day', c.last_active_day, c.period_end) >= {{dormant_days}} AS dormant_at_end,
    c.key_account
  FROM customer_period_rows AS c
),
measures AS (
  SELECT
    period_start,
    period_end,
    'all' AS dimension,
    'all' AS dimension_value,
    count_if(created_by_end) AS customers_by_end,
    CAST(sum(CASE WHEN created_by_end THEN CAST(revenue_to_date AS DECIMAL(38, 6)) END) AS DOUBLE) AS revenue_by_end,
    count_if(at_start) AS customers_at_start,
    count_if(at_end) AS customers_at_end,
    count_if(at_end AND dormant_at_end) AS dormant_at_end,
    count_if(created_in_period) AS created_in_period,
    count_if(churned_in_period) AS churned_in_period,
    count_if(churned_in_period AND key_account) AS key_accounts_churned
  FROM customer_periods
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
      ROW('avg_revenue_per_customer', 'mean', coalesce(m.revenue_by_end, 0), CAST(m.customers_by_end AS DOUBLE), m.customers_by_end),
      ROW('dormant_customers_pct', 'pct', CAST(m.dormant_at_end AS DOUBLE), CAST(m.customers_at_end AS DOUBLE), m.customers_at_end),
      ROW('churn_rate_pct', 'pct', CAST(m.churned_in_period AS DOUBLE), CAST(m.customers_at_start AS DOUBLE), m.customers_at_start),
      ROW('retention_rate_pct', 'pct', CAST(m.customers_at_end - m.created_in_period AS DOUBLE), CAST(m.customers_at_start AS DOUBLE), m.customers_at_start),
      ROW('key_account_churn_count', 'count', CAST(m.key_accounts_churned AS DOUBLE), CAST(NULL AS DOUBLE), m.key_accounts_churned)
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
