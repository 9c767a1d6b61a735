-- Survey KPIs (spec: kpis.md "Surveys") for every period of the run, overall.
-- Scores are read on each response's own scale (scale_min..scale_max; the contract fills the
-- defaults per survey type): "top two points" are the scale's two highest whole points, NPS and
-- eNPS put the score on 0..10 first (promoters 9-10, detractors 0-6).
-- csat_avg_score maps each score linearly onto 1..5 (1 + 4 x position on its scale).
-- collaboration_satisfaction_pct is the mean position on the scale x 100: with one scale that is
-- (mean score - scale_min) / (scale_max - scale_min) x 100 exactly; responses on different scales
-- are each placed on their own scale first.
-- complaint_resolution_satisfaction_pct links csat responses to complaint tickets by ticket_id,
-- so the tickets partitions are scanned once here too.
WITH periods (period_start, period_end) AS (
  VALUES {{periods}}
),
surveys_latest AS (
  SELECT *
  FROM (
    SELECT
      s.*,
      row_number() OVER (
        PARTITION BY s.response_id
        ORDER BY s._ingested_at DESC, s._source_file DESC, s._record DESC
      ) AS snapshot_rank
    FROM {{lake_schema}}.surveys AS s
    WHERE s.dt BETWEEN {{scan_from}} AND {{scan_to}}
  ) AS ranked
  WHERE snapshot_rank = 1
),
complaint_tickets AS (
  SELECT ticket_id
  FROM (
    SELECT
      t.ticket_id,
      t.type,
      row_number() OVER (
        PARTITION BY t.ticket_id
        ORDER BY t.updated_at DESC NULLS LAST, t._ingested_at DESC, t._source_file DESC, t._record DESC
      ) AS snapshot_rank
    FROM {{lake_schema}}.tickets AS t
    WHERE t.dt <= {{scan_to}}
  ) AS ranked
  WHERE snapshot_rank = 1 AND type = 'complaint'
),
survey_facts AS (
  SELECT
    s.survey,
    CAST(s.responded_at AT TIME ZONE {{tz}} AS date) AS responded_day,
    s.score >= s.scale_max - 1 AS top_two,
    -- 0..1 position on the response's scale
    CAST(s.score - s.scale_min AS DOUBLE) / (s.scale_max - s.scale_min) AS position,
    CAST(10 * (s.score - s.scale_min) AS DOUBLE) / (s.scale_max - s.scale_min) AS score_0_10,
    ct.ticket_id IS NOT NULL AS about_complaint
  FROM surveys_latest AS s
  LEFT JOIN complaint_tickets AS ct ON ct.ticket_id = s.ticket_id
),
survey_periods AS (
  SELECT p.period_start, p.period_end, f.*
  FROM survey_facts AS f
  JOIN periods AS p ON f.responded_day BETWEEN p.period_start AND p.period_end
  UNION ALL
  -- One empty row per period (every response column NULL, which every count_if below skips),
  -- so every period gets its overall row even without responses.
  SELECT p.period_start, p.period_end, f.*
  FROM periods AS p
  LEFT JOIN (SELECT * FROM survey_facts WHERE false) AS f ON true
),
measures AS (
  SELECT
    period_start,
    period_end,
    'all' AS dimension,
    'all' AS dimension_value,
    count_if(survey = 'csat') AS csat_responses,
    count_if(survey = 'csat' AND top_two) AS csat_top_two,
    CAST(coalesce(sum(CASE WHEN survey = 'csat' THEN CAST(1 + 4 * position AS DECIMAL(38, 18)) END), 0) AS DOUBLE) AS csat_score_sum,
    count_if(survey = 'nps') AS nps_responses,
    count_if(survey = 'nps' AND score_0_10 >= 9) - count_if(survey = 'nps' AND score_0_10 <= 6) AS nps_net,
    count_if(survey = 'enps') AS enps_responses,
    count_if(survey = 'enps' AND score_0_10 >= 9) - count_if(survey = 'enps' AND score_0_10 <= 6) AS enps_net,
    count_if(survey = 'collaboration') AS collaboration_responses,
    CAST(coalesce(sum(CASE WHEN survey = 'collaboration' THEN CAST(position AS DECIMAL(38, 18)) END), 0) AS DOUBLE) AS collaboration_position_sum,
    count_if(survey = 'csat' AND about_complaint) AS complaint_csat_responses,
    count_if(survey = 'csat' AND about_complaint AND top_two) AS complaint_csat_top_two
  FROM survey_periods
  GROUP BY period_start, period_end
),
kpi_rows AS (
  -- Per measures row, an array of one row per KPI: (kpi_id, value kind, numerator, denominator; the
  -- sample size is the denominator). Numerators and denominators are DOUBLE in every element, so
  -- the array has one element type.
  SELECT
    m.period_start,
    m.period_end,
    m.dimension,
    m.dimension_value,
    ARRAY[
      ROW('csat_pct', 'pct', CAST(m.csat_top_two AS DOUBLE), CAST(m.csat_responses AS DOUBLE)),
      ROW('csat_avg_score', 'mean', m.csat_score_sum, CAST(m.csat_responses AS DOUBLE)),
      ROW('nps', 'pct', CAST(m.nps_net AS DOUBLE), CAST(m.nps_responses AS DOUBLE)),
      ROW('enps', 'pct', CAST(m.enps_net AS DOUBLE), CAST(m.enps_responses AS DOUBLE)),
      ROW('collaboration_satisfaction_pct', 'pct', m.collaboration_position_sum, CAST(m.collaboration_responses AS DOUBLE)),
      ROW('complaint_resolution_satisfaction_pct', 'pct', CAST(m.complaint_csat_top_two AS DOUBLE), CAST(m.complaint_csat_responses AS DOUBLE))
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
    k.denominator
  -- UNNEST of the array column (not of an ARRAY[...] written here): DuckDB unnests a column in
  -- place, where an expression over many measure columns would cost it a join back.
  FROM kpi_rows AS m
  CROSS JOIN UNNEST(m.kpis) AS k (kpi_id, value_kind, numerator, denominator)
)
SELECT
  kpi_id,
  period_start,
  period_end,
  dimension,
  dimension_value,
  CASE value_kind
    WHEN 'mean' THEN CAST(numerator AS DOUBLE) / nullif(denominator, 0)
    WHEN 'pct' THEN CAST(100 * numerator AS DOUBLE) / nullif(denominator, 0)
  END AS value,
  numerator,
  denominator,
  CAST(denominator AS BIGINT) AS sample_size
FROM kpi_values
