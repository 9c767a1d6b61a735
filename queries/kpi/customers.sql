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
customer_periods AS (
  SELECT
    p.period_start,
    p.period_end,
    c.revenue_to_date,
    c.created_day <= p.period_end AS created_by_end,
    c.created_day < p.period_start AND (c.churned_day IS NULL OR c.churned_day >= p.period_start) AS at_start,
    c.created_day <= p.period_end AND (c.churned_day IS NULL OR c.churned_day > p.period_end) AS at_end,
    c.created_day BETWEEN p.period_start AND p.period_end AS created_in_period,
    coalesce(c.churned_day BETWEEN p.period_start AND p.period_end, false) AS churned_in_period,
    -- Dormant: last activity (else creation) more than dormantDays before the end of the period.
    date_diff('day', c.last_active_day, p.period_end) >= {{dormant_days}} AS dormant_at_end,
    c.key_account
  FROM customer_days AS c
  JOIN periods AS p ON c.created_day <= p.period_end
  UNION ALL
  SELECT period_start, period_end, NULL, false, false, false, false, false, false, false
  FROM periods
),
measures AS (
  SELECT
    period_start,
    period_end,
    'all' AS dimension,
    'all' AS dimension_value,
    count_if(created_by_end) AS customers_by_end,
    sum(CASE WHEN created_by_end THEN revenue_to_date END) AS revenue_by_end,
    count_if(at_start) AS customers_at_start,
    count_if(at_end) AS customers_at_end,
    count_if(at_end AND dormant_at_end) AS dormant_at_end,
    count_if(created_in_period) AS created_in_period,
    count_if(churned_in_period) AS churned_in_period,
    count_if(churned_in_period AND key_account) AS key_accounts_churned
  FROM customer_periods
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
      WHEN 'avg_revenue_per_customer' THEN coalesce(m.revenue_by_end, 0)
      WHEN 'dormant_customers_pct' THEN CAST(m.dormant_at_end AS DOUBLE)
      WHEN 'churn_rate_pct' THEN CAST(m.churned_in_period AS DOUBLE)
      WHEN 'retention_rate_pct' THEN CAST(m.customers_at_end - m.created_in_period AS DOUBLE)
      WHEN 'key_account_churn_count' THEN CAST(m.key_accounts_churned AS DOUBLE)
    END AS numerator,
    CASE k.kpi_id
      WHEN 'avg_revenue_per_customer' THEN CAST(m.customers_by_end AS DOUBLE)
      WHEN 'dormant_customers_pct' THEN CAST(m.customers_at_end AS DOUBLE)
      WHEN 'churn_rate_pct' THEN CAST(m.customers_at_start AS DOUBLE)
      WHEN 'retention_rate_pct' THEN CAST(m.customers_at_start AS DOUBLE)
    END AS denominator,
    CASE k.kpi_id
      WHEN 'avg_revenue_per_customer' THEN m.customers_by_end
      WHEN 'dormant_customers_pct' THEN m.customers_at_end
      WHEN 'churn_rate_pct' THEN m.customers_at_start
      WHEN 'retention_rate_pct' THEN m.customers_at_start
      WHEN 'key_account_churn_count' THEN m.key_accounts_churned
    END AS sample_size
  FROM measures AS m
  CROSS JOIN (
    VALUES
      ('avg_revenue_per_customer', 'mean'),
      ('dormant_customers_pct', 'pct'),
      ('churn_rate_pct', 'pct'),
      ('retention_rate_pct', 'pct'),
      ('key_account_churn_count', 'count')
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
