-- Ticket KPIs (spec: kpis.md "Tickets") for every period of the run, by all / channel / team
-- (and tickets_resolved_per_agent by agent).
--
-- Scans the tickets partitions once (dt <= the run's last day + 1): backlog and resolution KPIs
-- need tickets created long before the period. Each ticket joins every period it counts in,
-- whichever timestamp puts it there (created, first response, resolution, open at period end).
-- Resolution is resolved_at, else closed_at (a ticket closed without a solve time is resolved
-- when it was closed).
WITH periods (period_start, period_end) AS (
  VALUES {{periods}}
),
tickets_latest AS (
  -- Exports are snapshots: the latest snapshot of a ticket wins.
  SELECT *
  FROM (
    SELECT
      t.*,
      row_number() OVER (
        PARTITION BY t.ticket_id
        ORDER BY t.updated_at DESC NULLS LAST, t._ingested_at DESC, t._source_file DESC, t._record DESC
      ) AS snapshot_rank
    FROM {{lake_schema}}.tickets AS t
    WHERE t.dt <= {{scan_to}}
  ) AS ranked
  WHERE snapshot_rank = 1
),
ticket_facts AS (
  SELECT
    ticket_id,
    channel,
    type,
    coalesce(team, '(none)') AS team,
    agent_id,
    CAST(created_at AT TIME ZONE {{tz}} AS date) AS created_day,
    CAST(first_response_at AT TIME ZONE {{tz}} AS date) AS first_response_day,
    CAST(coalesce(resolved_at, closed_at) AT TIME ZONE {{tz}} AS date) AS resolved_day,
    CAST(due_at AT TIME ZONE {{tz}} AS date) AS due_day,
    -- For a period that is not over at the as-of time, "as of period end" is as of that time.
    created_at <= {{as_of}} AND coalesce(coalesce(resolved_at, closed_at) > {{as_of}}, true) AS open_at_as_of,
    coalesce(due_at < {{as_of}}, false) AS due_by_as_of,
    CAST(round(1000 * (to_unixtime(first_response_at) - to_unixtime(created_at))) AS DOUBLE) / 60000 AS first_response_minutes,
    CAST(round(1000 * (to_unixtime(coalesce(resolved_at, closed_at)) - to_unixtime(created_at))) AS DOUBLE) / 3600000 AS resolution_hours,
    CAST(
      round(1000 * (to_unixtime(coalesce(resolved_at, closed_at)) - to_unixtime(coalesce(assigned_at, first_response_at, created_at))))
      AS DOUBLE
    ) / 3600000 AS service_hours,
    -- Standard first-response time of the ticket's channel (config thresholds.firstResponseMinutes).
    CASE channel
      WHEN 'phone' THEN {{frt_phone_minutes}}
      WHEN 'email' THEN {{frt_email_minutes}}
      WHEN 'chat' THEN {{frt_chat_minutes}}
      WHEN 'web' THEN {{frt_web_minutes}}
      WHEN 'social' THEN {{frt_social_minutes}}
      ELSE {{frt_other_minutes}}
    END AS standard_minutes,
    -- e-mail answered within 24 h, judged at the as-of time: answered (by then) or older than 24 h.
    first_response_at IS NOT NULL AND first_response_at <= {{as_of}} AS answered_by_as_of,
    round(1000 * (to_unixtime({{as_of}}) - to_unixtime(created_at))) >= 86400000 AS older_than_24h,
    -- messages_per_ticket: a ticket "has message counts" when at least one of the two is known;
    -- the missing one counts 0.
    CASE
      WHEN agent_messages IS NULL AND customer_messages IS NULL THEN NULL
      ELSE coalesce(agent_messages, 0) + coalesce(customer_messages, 0)
    END AS messages,
    -- FCR: contacts <= 1, else (contacts unknown) agent_messages <= 1; both unknown = not FCR.
    -- A missing reopens counts as 0 (most sources never report reopens).
    coalesce(contacts <= 1, agent_messages <= 1, false) AND coalesce(reopens, 0) = 0 AS first_contact_resolved,
    coalesce(contacts, 1) AS contacts_or_one,
    coalesce(handoffs, 0) AS handoffs_or_zero,
    coalesce(escalated, false) AS escalated,
    -- Incidents: tickets of type incident grouped by incident_key (no key = its own incident).
    -- The group's first ticket carries the incident; lead() gives the day of its second ticket.
    type = 'incident'
      AND row_number() OVER (
        PARTITION BY CASE WHEN type = 'incident' THEN coalesce(incident_key, concat('ticket:', ticket_id)) END
        ORDER BY created_at, ticket_id
      ) = 1 AS first_of_incident,
    CAST(
      lead(created_at) OVER (
        PARTITION BY CASE WHEN type = 'incident' THEN coalesce(incident_key, concat('ticket:', ticket_id)) END
        ORDER BY created_at, ticket_id
      ) AT TIME ZONE {{tz}} AS date
    ) AS incident_second_day
  FROM tickets_latest
),
ticket_period_rows AS (
  -- Each ticket once per period it counts in (created, first response, resolution, open at period end).
  SELECT p.period_start, p.period_end, f.*
  FROM ticket_facts AS f
  JOIN periods AS p
    ON f.created_day BETWEEN p.period_start AND p.period_end
    OR f.first_response_day BETWEEN p.period_start AND p.period_end
    OR f.resolved_day BETWEEN p.period_start AND p.period_end
    OR (f.created_day <= p.period_end AND (f.resolved_day IS NULL OR f.resolved_day > p.period_end))
  UNION ALL
  -- One empty row per period (every ticket column NULL, which every count_if below skips),
  -- so every period gets its overall row even without tickets.
  SELECT p.period_start, p.period_end, f.*
  FROM periods AS p
  LEFT JOIN (SELECT * FROM ticket_facts WHERE false) AS f ON true
),
ticket_periods AS (
  SELECT
    f.*,
    f.created_day BETWEEN f.period_start AND f.period_end AS created_in,
    coalesce(f.first_response_day BETWEEN f.period_start AND f.period_end, false) AS responded_in,
    coalesce(f.resolved_day BETWEEN f.period_start AND f.period_end, false) AS resolved_in,
    -- "As of period end" is the state at the period's last instant, i.e. just before the next local
    -- midnight: a ticket resolved at 00:00:00 of the next day is still open at the end of the period,
    -- and due_at < period end means due on or before the period's last local day.
    CASE
      WHEN f.period_end >= {{as_of_date}} THEN f.open_at_as_of
      ELSE f.created_day <= f.period_end AND (f.resolved_day IS NULL OR f.resolved_day > f.period_end)
    END AS open_at_end,
    CASE
      WHEN f.period_end >= {{as_of_date}} THEN f.due_by_as_of
      ELSE coalesce(f.due_day <= f.period_end, false)
    END AS due_by_end,
    -- Repeat incidents are judged as of period end too: a second ticket after it does not count (yet).
    -- This keeps a published value stable when later days are ingested.
    coalesce(f.incident_second_day <= f.period_end, false) AS incident_repeated_by_end
  FROM ticket_period_rows AS f
),
measures AS (
  SELECT
    period_start,
    period_end,
    CASE
      WHEN grouping(channel) = 0 THEN 'channel'
      WHEN grouping(team) = 0 THEN 'team'
      WHEN grouping(agent_id) = 0 THEN 'agent'
      ELSE 'all'
    END AS dimension,
    CASE
      WHEN grouping(channel) = 0 THEN channel
      WHEN grouping(team) = 0 THEN team
      WHEN grouping(agent_id) = 0 THEN agent_id
      ELSE 'all'
    END AS dimension_value,
    -- created in the period
    count_if(created_in) AS created,
    count_if(created_in AND type = 'complaint') AS complaints,
    count_if(created_in AND type = 'complaint' AND channel = 'phone') AS complaints_by_phone,
    count_if(created_in AND first_of_incident) AS incidents,
    count_if(created_in AND first_of_incident AND incident_repeated_by_end) AS incidents_repeated,
    count_if(created_in AND escalated) AS escalated,
    count_if(created_in AND channel = 'email' AND (answered_by_as_of OR older_than_24h)) AS emails_decided,
    count_if(
      created_in AND channel = 'email' AND answered_by_as_of AND first_response_minutes <= 1440
    ) AS emails_answered_24h,
    -- first responded in the period
    count_if(responded_in) AS responded,
    CAST(sum(CASE WHEN responded_in THEN CAST(round(60000 * first_response_minutes) AS BIGINT) END) AS DOUBLE) / 60000 AS first_response_minutes_sum,
    count_if(responded_in AND first_response_minutes <= standard_minutes) AS responded_on_time,
    -- resolved in the period
    count_if(resolved_in) AS resolved,
    CAST(sum(CASE WHEN resolved_in THEN CAST(round(3600000 * service_hours) AS BIGINT) END) AS DOUBLE) / 3600000 AS service_hours_sum,
    CAST(sum(CASE WHEN resolved_in THEN CAST(round(3600000 * resolution_hours) AS BIGINT) END) AS DOUBLE) / 3600000 AS resolution_hours_sum,
    count_if(resolved_in AND type = 'complaint') AS complaints_resolved,
    CAST(sum(CASE WHEN resolved_in AND type = 'complaint' THEN CAST(round(3600000 * resolution_hours) AS BIGINT) END) AS DOUBLE) / 3600000 AS complaint_resolution_hours_sum,
    count_if(resolved_in AND messages IS NOT NULL) AS resolved_with_messages,
    sum(CASE WHEN resolved_in THEN messages END) AS messages_sum,
    count_if(resolved_in AND first_contact_resolved) AS first_contact_resolved,
    sum(CASE WHEN resolved_in THEN contacts_or_one END) AS contacts_sum,
    sum(CASE WHEN resolved_in THEN handoffs_or_zero END) AS handoffs_sum,
    count_if(resolved_in AND agent_id IS NOT NULL) AS resolved_by_agents,
    count(DISTINCT CASE WHEN resolved_in THEN agent_id END) AS resolving_agents,
    -- open at the end of the period
    count_if(open_at_end) AS open_at_end,
    count_if(open_at_end AND due_by_end) AS overdue_at_end
  FROM ticket_periods
  GROUP BY GROUPING SETS (
    (period_start, period_end),
    (period_start, period_end, channel),
    (period_start, period_end, team),
    (period_start, period_end, agent_id)
  )
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
      ROW('tickets_created', 'count', CAST(m.created AS DOUBLE), CAST(NULL AS DOUBLE), m.created),
      ROW('complaints_received', 'count', CAST(m.complaints AS DOUBLE), CAST(NULL AS DOUBLE), m.complaints),
      ROW('complaints_via_phone_pct', 'pct', CAST(m.complaints_by_phone AS DOUBLE), CAST(m.complaints AS DOUBLE), m.complaints),
      ROW('repeat_incident_pct', 'pct', CAST(m.incidents_repeated AS DOUBLE), CAST(m.incidents AS DOUBLE), m.incidents),
      ROW('overdue_backlog_pct', 'pct', CAST(m.overdue_at_end AS DOUBLE), CAST(m.open_at_end AS DOUBLE), m.open_at_end),
      ROW('avg_first_response_minutes', 'mean', m.first_response_minutes_sum, CAST(m.responded AS DOUBLE), m.responded),
      ROW('first_response_sla_pct', 'pct', CAST(m.responded_on_time AS DOUBLE), CAST(m.responded AS DOUBLE), m.responded),
      ROW('email_answered_24h_pct', 'pct', CAST(m.emails_answered_24h AS DOUBLE), CAST(m.emails_decided AS DOUBLE), m.emails_decided),
      ROW('avg_service_time_hours', 'mean', m.service_hours_sum, CAST(m.resolved AS DOUBLE), m.resolved),
      ROW('avg_resolution_time_hours', 'mean', m.resolution_hours_sum, CAST(m.resolved AS DOUBLE), m.resolved),
      ROW('complaint_resolution_time_hours', 'mean', m.complaint_resolution_hours_sum, CAST(m.complaints_resolved AS DOUBLE), m.complaints_resolved),
      ROW('messages_per_ticket', 'mean', CAST(m.messages_sum AS DOUBLE), CAST(m.resolved_with_messages AS DOUBLE), m.resolved_with_messages),
      ROW('first_contact_resolution_pct', 'pct', CAST(m.first_contact_resolved AS DOUBLE), CAST(m.resolved AS DOUBLE), m.resolved),
      ROW('contacts_per_resolution', 'mean', CAST(m.contacts_sum AS DOUBLE), CAST(m.resolved AS DOUBLE), m.resolved),
      ROW('handoffs_per_ticket', 'mean', CAST(m.handoffs_sum AS DOUBLE), CAST(m.resolved AS DOUBLE), m.resolved),
      ROW('escalation_rate_pct', 'pct', CAST(m.escalated AS DOUBLE), CAST(m.created AS DOUBLE), m.created),
      ROW('tickets_resolved_per_agent', 'mean', CAST(m.resolved_by_agents AS DOUBLE), CAST(m.resolving_agents AS DOUBLE), m.resolved_by_agents)
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
    -- One side of every division is CAST to DOUBLE (Trino would truncate an integer division).
    WHEN 'mean' THEN CAST(numerator AS DOUBLE) / nullif(denominator, 0)
    WHEN 'pct' THEN CAST(100 * numerator AS DOUBLE) / nullif(denominator, 0)
  END AS value,
  CASE WHEN value_kind = 'count' THEN NULL ELSE numerator END AS numerator,
  CASE WHEN value_kind = 'count' THEN NULL ELSE denominator END AS denominator,
  CAST(coalesce(sample_size, 0) AS BIGINT) AS sample_size
FROM kpi_values
-- Overall rows always; a dimension row only where the KPI has records in that group.
WHERE dimension = 'all' OR (dimension_value IS NOT NULL AND coalesce(sample_size, 0) > 0)
