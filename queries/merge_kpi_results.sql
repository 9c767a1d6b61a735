-- Writes one family's freshly computed KPI rows into kpi_results for the run's periods.
-- One statement, so Iceberg commits it atomically: changed rows are updated, new rows inserted,
-- rows of the scope that the computation no longer produces (an agent with no calls any more
-- after a re-ingest) deleted. Unchanged rows are left alone, so an identical rerun changes
-- nothing. The family's computation ("fresh") is referenced once: each source is scanned once.
-- Identical to the last bit on a rerun: the families sum durations over integer milliseconds and
-- amounts and scores as DECIMAL, so the order threads add them in changes nothing (docs/reliability.md).
MERGE INTO {{results_schema}}.kpi_results AS t
USING (
  WITH fresh AS (
{{compute}}
  ),
  existing AS (
    SELECT kpi_id, grain, period_start, dimension, dimension_value
    FROM {{results_schema}}.kpi_results
    WHERE grain = {{grain}}
      AND period_start BETWEEN {{from_date}} AND {{to_date}}
      AND kpi_id IN ({{kpi_ids}})
  )
  SELECT
    coalesce(f.kpi_id, e.kpi_id) AS kpi_id,
    {{grain}} AS grain,
    coalesce(f.period_start, e.period_start) AS period_start,
    f.period_end,
    coalesce(f.dimension, e.dimension) AS dimension,
    coalesce(f.dimension_value, e.dimension_value) AS dimension_value,
    f.value,
    f.numerator,
    f.denominator,
    f.sample_size,
    f.kpi_id IS NULL AS is_stale
  FROM fresh AS f
  FULL OUTER JOIN existing AS e
    ON f.kpi_id = e.kpi_id
    AND f.period_start = e.period_start
    AND f.dimension = e.dimension
    AND f.dimension_value = e.dimension_value
) AS s
ON t.kpi_id = s.kpi_id
  AND t.grain = s.grain
  AND t.period_start = s.period_start
  AND t.dimension = s.dimension
  AND t.dimension_value = s.dimension_value
WHEN MATCHED AND s.is_stale THEN DELETE
WHEN MATCHED AND (
  t.value IS DISTINCT FROM s.value
  OR t.numerator IS DISTINCT FROM s.numerator
  OR t.denominator IS DISTINCT FROM s.denominator
  OR t.sample_size IS DISTINCT FROM s.sample_size
  OR t.period_end IS DISTINCT FROM s.period_end
) THEN UPDATE SET
  period_end = s.period_end,
  value = s.value,
  numerator = s.numerator,
  denominator = s.denominator,
  sample_size = s.sample_size,
  computed_at = {{computed_at}},
  run_id = {{run_id}}
WHEN NOT MATCHED AND NOT s.is_stale THEN INSERT (
  kpi_id, grain, period_start, period_end, dimension, dimension_value,
  value, numerator, denominator, sample_size, computed_at, run_id
) VALUES (
  s.kpi_id, s.grain, s.period_start, s.period_end, s.dimension, s.dimension_value,
  s.value, s.numerator, s.denominator, s.sample_size, {{computed_at}}, {{run_id}}
)
