import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../functions/core/config.ts';
import { defaultSesIdentity, fromAddress, loadDeploymentConfig } from '../../infra/config.ts';
import { REPO_ROOT } from '../../infra/paths.ts';
import { PropsError } from '../../infra/validate.ts';
import { buildTestStack } from './support.ts';

const scratch = mkdtempSync(join(tmpdir(), 'servicepulse-infra-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function configFile(name: string, text: string): string {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
}

describe('deployment configuration at synth time', () => {
  it('reads and validates the YAML file the CLI reads', () => {
    // Prepare
    const path = configFile('ok.yaml', 'timezone: Europe/Berlin\nrecompute: { trailingDays: 5 }\n');

    // Act
    const { config, source } = loadDeploymentConfig(path);

    // Assess
    expect(source).toBe(path);
    expect(config.timezone).toBe('Europe/Berlin');
    expect(config.sourceTimezone).toBe('Europe/Berlin');
    expect(config.recompute.trailingDays).toBe(5);
  });

  it('fails with the offending key named', () => {
    // Prepare
    const path = 'test/infra/fixtures/invalid.config.yaml';

    // Act
    const act = () => loadDeploymentConfig(path, REPO_ROOT);

    // Assess
    expect(act).toThrow(ConfigError);
    expect(act).toThrow(
      'test/infra/fixtures/invalid.config.yaml: targets.service_level_pct.day.min: min (90) is greater than max (80)',
    );
  });

  it('rejects unknown keys, unknown KPI ids and bad time zones', () => {
    // Prepare
    const typo = configFile('typo.yaml', 'timezon: UTC\n');
    const kpi = configFile('kpi.yaml', 'targets:\n  not_a_kpi: { min: 1 }\n');
    const zone = configFile('zone.yaml', 'timezone: Mars/Olympus\n');

    // Act / Assess
    expect(() => loadDeploymentConfig(typo)).toThrow(/unknown key timezon/);
    expect(() => loadDeploymentConfig(kpi)).toThrow(/unknown key targets\.not_a_kpi/);
    expect(() => loadDeploymentConfig(zone)).toThrow(/timezone: not an IANA time zone/);
  });

  it('fails when a named file does not exist, and uses the defaults when none is named or present', () => {
    // Prepare / Act / Assess
    expect(() => loadDeploymentConfig('missing.yaml', scratch)).toThrow(/missing\.yaml: no such file/);
    expect(loadDeploymentConfig(undefined, scratch)).toMatchObject({
      source: '(built-in defaults)',
      config: { timezone: 'UTC' },
    });
  });

  it('takes the SES identity from the address of digest.from', () => {
    // Prepare / Act / Assess
    expect(fromAddress('Servicepulse <kpi@example.com>')).toBe('kpi@example.com');
    expect(fromAddress('kpi@example.com')).toBe('kpi@example.com');
    expect(
      defaultSesIdentity(
        loadDeploymentConfig('test/infra/fixtures/servicepulse.config.yaml', REPO_ROOT).config,
      ),
    ).toBe('servicepulse.test');
  });
});

describe('cdk context', () => {
  it('reports every invalid value at once', () => {
    // Prepare
    const context = {
      bytesScannedCutoffGiB: -1,
      logRetentionDays: 42,
      removalPolicy: 'keep',
      stackName: '1bad',
    };

    // Act
    const act = () => buildTestStack(context);

    // Assess
    expect(act).toThrow(PropsError);
    expect(act).toThrow(/stackName[\s\S]*bytesScannedCutoffGiB[\s\S]*logRetentionDays[\s\S]*removalPolicy/);
  });

  it('rejects a run time that is not HH:MM and a chunk size past the Iceberg partition limit', () => {
    // Prepare / Act
    const act = () => buildTestStack({ dailyTime: '6am', maxMonthsPerChunk: 120 });

    // Assess
    expect(act).toThrow(/dailyTime must be HH:MM[\s\S]*maxMonthsPerChunk must be 1…100/);
  });

  it('warns when the digest would send as a placeholder identity', () => {
    // Prepare: digest.from keeps its default, Servicepulse <kpi@example.com>
    const { stack } = buildTestStack({ config: configFile('placeholder.yaml', 'timezone: UTC\n') });

    // Act
    const warnings = stack.node.metadata
      .filter((m) => m.type === 'aws:cdk:warning')
      .map((m) => String(m.data));

    // Assess
    expect(warnings).toEqual([expect.stringContaining('The digest sends as example.com, a placeholder')]);
  });
});

describe('the CDK app', () => {
  it('exits with the key named when the configuration is invalid', () => {
    // Prepare
    const outdir = join(scratch, 'cdk.out');

    // Act
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'infra/app.ts'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: {
        ...process.env,
        CDK_OUTDIR: outdir,
        CDK_CONTEXT_JSON: JSON.stringify({ config: 'test/infra/fixtures/invalid.config.yaml' }),
      },
    });

    // Assess
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      'servicepulse: test/infra/fixtures/invalid.config.yaml: targets.service_level_pct.day.min: min (90) is greater than max (80)',
    );
  });
});
