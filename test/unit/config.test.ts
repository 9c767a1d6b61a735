import { describe, expect, it } from 'vitest';
import { KPI_IDS } from '../../functions/core/catalog.ts';
import { ConfigError, defaultConfig, parseConfig } from '../../functions/core/config.ts';

const parse = (yaml: string) => parseConfig(yaml, 'servicepulse.config.yaml', KPI_IDS);

describe('configuration', () => {
  it('fills every default when the file is empty', () => {
    // Act
    const cfg = defaultConfig();
    // Assess
    expect(cfg.timezone).toBe('UTC');
    expect(cfg.sourceTimezone).toBe('UTC');
    expect(cfg.thresholds).toEqual({
      serviceLevelSeconds: 20,
      shortAbandonSeconds: 5,
      repeatContactDays: 7,
      dormantDays: 90,
      firstResponseMinutes: { phone: 60, chat: 1, email: 1440, web: 1440, social: 60, other: 1440 },
    });
    expect(cfg.recompute.trailingDays).toBe(3);
    expect(cfg.digest.recipients).toEqual([]);
  });

  it('reads the example of interfaces.md', () => {
    // Prepare
    const yaml = `
timezone: Asia/Tehran
currency: IRR
thresholds:
  serviceLevelSeconds: 30
  firstResponseMinutes: { chat: 2 }
targets:
  abandonment_rate_pct: { max: 5, warn: 4 }
  avg_abandon_time_seconds: { min: 20, max: 60 }
  service_level_pct:
    day: { min: 80, warn: 85 }
    month: { min: 82 }
digest:
  from: "Servicepulse <kpi@example.com>"
  recipients:
    - { email: ceo@example.com, lang: en }
    - { email: ops@example.com, lang: fa }
  smtp: smtp://127.0.0.1:1025
`;
    // Act
    const cfg = parse(yaml);
    // Assess
    expect(cfg.timezone).toBe('Asia/Tehran');
    expect(cfg.sourceTimezone).toBe('Asia/Tehran');
    expect(cfg.thresholds.serviceLevelSeconds).toBe(30);
    expect(cfg.thresholds.shortAbandonSeconds).toBe(5);
    expect(cfg.thresholds.firstResponseMinutes.chat).toBe(2);
    expect(cfg.thresholds.firstResponseMinutes.email).toBe(1440);
    expect(cfg.targets.service_level_pct).toEqual({ day: { min: 80, warn: 85 }, month: { min: 82 } });
    expect(cfg.digest.recipients[1]).toEqual({ email: 'ops@example.com', lang: 'fa' });
  });

  it.each([
    ['timezon: UTC', /unknown key timezon/],
    ['thresholds: { serviceLevelSecs: 20 }', /unknown key thresholds\.serviceLevelSecs/],
    ['timezone: Mars/Olympus', /timezone: not an IANA time zone/],
    ['sourceTimezone: Asia/Tehrn', /sourceTimezone: not an IANA time zone/],
    [
      'targets: { service_level_pct: { min: 90, max: 80 } }',
      /targets\.service_level_pct(\.min)?: min \(90\) is greater than max \(80\)/,
    ],
    [
      'targets: { service_level_pct: { day: { min: 90, max: 80 } } }',
      /targets\.service_level_pct\.day\.min: min \(90\)/,
    ],
    ['targets: { no_such_kpi: { min: 1 } }', /unknown key targets\.no_such_kpi/],
    ['digest: { recipients: [ { email: not-an-email } ] }', /digest\.recipients\.0\.email/],
    ['digest: { recipients: [ { email: a@b.co, lang: de } ] }', /digest\.recipients\.0\.lang/],
    ['currency: rial', /currency/],
    ['recompute: { trailingDays: -1 }', /recompute\.trailingDays/],
    ['timezone: [', /not valid YAML/],
  ])('rejects %s with an error that names the key', (yaml, message) => {
    // Act / Assess
    expect(() => parse(yaml)).toThrow(ConfigError);
    expect(() => parse(yaml)).toThrow(message);
  });

  it('names the file in the error', () => {
    expect(() => parse('timezone: Nowhere/Land')).toThrow(/^servicepulse\.config\.yaml: /);
  });
});
