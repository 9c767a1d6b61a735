import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { KPI_IDS } from '../../functions/core/catalog.ts';
import { validateConfig } from '../../functions/core/config.ts';
import { BUNDLED_QUERIES_DIR, ServicepulseFunction } from '../../infra/constructs/function.ts';
import { Normalizer } from '../../infra/constructs/normalizer.ts';
import {
  type Cfn,
  flatten,
  resourceNamed,
  resources,
  roleStatements,
  type Synthesized,
  synth,
  testApp,
} from './support.ts';

let s: Synthesized;
beforeAll(() => {
  s = synth();
});

const fn = (prefix: string) => resourceNamed(s.template, 'AWS::Lambda::Function', prefix);

describe('house Lambda defaults', () => {
  it.each(['NormalizerFunction', 'DigestFunction', 'KpiSchedulePlanFunction'])(
    '%s: nodejs22.x on ARM64, active tracing, JSON logs into its own log group with retention',
    (prefix) => {
      // Prepare
      const [, f] = fn(prefix);

      // Act
      const logGroupRef = flatten(f.Properties.LoggingConfig.LogGroup).slice(1, -1);
      const [, logGroup] = resourceNamed(s.template, 'AWS::Logs::LogGroup', logGroupRef);

      // Assess
      expect(f.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON' },
      });
      expect(logGroup.Properties.RetentionInDays).toBe(90);
    },
  );

  it('attaches no managed policies to the function roles; logs go to their own group only', () => {
    // Prepare
    const roles = ['NormalizerFunctionRole', 'DigestFunctionRole', 'KpiSchedulePlanFunctionRole'];

    // Act / Assess
    for (const prefix of roles) {
      const [, role] = resourceNamed(s.template, 'AWS::IAM::Role', prefix);
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      const logs = roleStatements(s.template, prefix).find((st) => st.Action.includes('logs:PutLogEvents'))!;
      expect(logs.Resource).toHaveLength(1);
      expect(logs.Resource[0]).toMatch(/^<\w+FunctionLogs\w+\.Arn>$/);
    }
  });

  it('passes the validated configuration as SERVICEPULSE_CONFIG JSON', () => {
    // Prepare
    const env = (prefix: string) => fn(prefix)[1].Properties.Environment.Variables as Record<string, unknown>;

    // Act
    const config = JSON.parse(env('NormalizerFunction').SERVICEPULSE_CONFIG as string);

    // Assess: the Lambda's own validation accepts it unchanged
    expect(config.timezone).toBe('Asia/Tehran');
    expect(config.digest.recipients).toHaveLength(2);
    expect(validateConfig(config, 'SERVICEPULSE_CONFIG', KPI_IDS)).toEqual(config);
    expect(env('DigestFunction').SERVICEPULSE_CONFIG).toBe(env('NormalizerFunction').SERVICEPULSE_CONFIG);
    expect(env('KpiSchedulePlanFunction').SERVICEPULSE_CONFIG).toBe(
      env('NormalizerFunction').SERVICEPULSE_CONFIG,
    );
  });
});

/** Synthesizes one function with real esbuild bundling; returns its properties and asset folder. */
function bundle(props: ConstructorParameters<typeof ServicepulseFunction>[2]) {
  const outdir = mkdtempSync(join(tmpdir(), 'servicepulse-bundle-'));
  const app = new App({ outdir, builtinCloudFormationValidation: false });
  new ServicepulseFunction(new Stack(app, 'B'), 'Fn', props);
  const assembly = app.synth();
  const template = assembly.getStackByName('B').template as Cfn;
  const fnProps = Object.values(template.Resources as Record<string, Cfn>).find(
    (r) => r.Type === 'AWS::Lambda::Function',
  ).Properties;
  const assetDir = join(assembly.directory, `asset.${fnProps.Code.S3Key.replace(/\.zip$/, '')}`);
  return { fnProps, assetDir, cleanup: () => rmSync(outdir, { recursive: true, force: true }) };
}

describe('bundling', () => {
  it('bundles a handler with the local esbuild: ESM, source map, and queries/ copied when asked', () => {
    // Prepare / Act
    const { fnProps, assetDir, cleanup } = bundle({
      entry: 'functions/handlers/plan-run.ts',
      description: 'bundling test',
      withQueries: true,
    });

    // Assess
    try {
      expect(readdirSync(assetDir).sort()).toEqual(['index.mjs', 'index.mjs.map', 'queries']);
      expect(readdirSync(join(assetDir, 'queries', 'kpi'))).toContain('calls.sql');
      expect(readFileSync(join(assetDir, 'index.mjs'), 'utf8')).toMatch(
        /^import\{createRequire\}|^import \{ createRequire \}/,
      );
      expect(fnProps.Handler).toBe('index.handler');
      expect(fnProps.Environment.Variables).toMatchObject({
        NODE_OPTIONS: '--enable-source-maps',
        SERVICEPULSE_QUERIES: BUNDLED_QUERIES_DIR,
      });
    } finally {
      cleanup();
    }
  });

  it('ships parquet-wasm installed beside the normalizer bundle, so its .wasm loads', async () => {
    // Prepare / Act
    const { assetDir, cleanup } = bundle({
      entry: 'functions/handlers/normalizer.ts',
      description: 'bundling test',
      nodeModules: ['parquet-wasm'],
    });

    // Assess
    try {
      const pw = join(assetDir, 'node_modules', 'parquet-wasm', 'node');
      expect(readdirSync(pw)).toContain('parquet_wasm_bg.wasm');
      expect(readFileSync(join(assetDir, 'index.mjs'), 'utf8')).toContain('parquet-wasm/node');
      // The installed package loads (it compiles its WebAssembly module on import).
      const mod = (await import(join(pw, 'parquet_wasm.js'))) as { writeParquet?: unknown };
      expect(typeof mod.writeParquet).toBe('function');
    } finally {
      cleanup();
    }
  }, 180_000);
});

describe('normalizer', () => {
  it('sends ObjectCreated events under landing/ from the landing bucket to the queue', () => {
    // Prepare
    const [, notifications] = resources(s.template, 'Custom::S3BucketNotifications')[0]!;
    const [queueId] = resourceNamed(s.template, 'AWS::SQS::Queue', 'NormalizerQueue');
    const [landingId] = resourceNamed(s.template, 'AWS::S3::Bucket', 'StorageLanding');

    // Act
    const config = notifications.Properties.NotificationConfiguration;

    // Assess
    expect(notifications.Properties.BucketName).toEqual({ Ref: landingId });
    expect(config).toEqual({
      QueueConfigurations: [
        {
          Events: ['s3:ObjectCreated:*'],
          Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'landing/' }] } },
          QueueArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
        },
      ],
    });
  });

  it('lets only S3, from the landing bucket, send to the queue', () => {
    // Prepare
    const [queueId] = resourceNamed(s.template, 'AWS::SQS::Queue', 'NormalizerQueue');
    const [, policy] = resources(s.template, 'AWS::SQS::QueuePolicy').find(([, p]) =>
      (p.Properties.Queues as unknown[]).some((q) => flatten(q) === `<${queueId}>`),
    )!;

    // Act
    const allow = (policy.Properties.PolicyDocument.Statement as Cfn[]).filter((st) => st.Effect === 'Allow');

    // Assess
    expect(allow).toHaveLength(1);
    expect(allow[0].Principal).toEqual({ Service: 's3.amazonaws.com' });
    expect([allow[0].Action].flat()).toContain('sqs:SendMessage');
    expect(flatten(allow[0].Condition.ArnLike['aws:SourceArn'])).toMatch(/^<StorageLanding\w+\.Arn>$/);
  });

  it('redrives to a dead-letter queue, with a visibility timeout of six function timeouts', () => {
    // Prepare
    const [, queue] = resourceNamed(s.template, 'AWS::SQS::Queue', 'NormalizerQueue');
    const [dlqId, dlq] = resourceNamed(s.template, 'AWS::SQS::Queue', 'NormalizerDeadLetterQueue');

    // Act
    const timeout = fn('NormalizerFunction')[1].Properties.Timeout as number;

    // Assess
    expect(queue.Properties.VisibilityTimeout).toBe(6 * timeout);
    expect(queue.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
      maxReceiveCount: 5,
    });
    expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    expect(dlq.Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
  });

  it('consumes the queue with batch item failures reported', () => {
    // Prepare
    const [queueId] = resourceNamed(s.template, 'AWS::SQS::Queue', 'NormalizerQueue');
    const [fnId] = fn('NormalizerFunction');

    // Act
    const [, mapping] = resources(s.template, 'AWS::Lambda::EventSourceMapping')[0]!;

    // Assess
    expect(mapping.Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      FunctionName: { Ref: fnId },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 1,
      ScalingConfig: { MaximumConcurrency: 10 },
    });
  });

  it('may read landing objects and read, write and delete only under lake/ and quarantine/', () => {
    // Prepare
    const statements = roleStatements(s.template, 'NormalizerFunctionRole');

    // Act
    const s3Statements = statements.filter((st) => st.Action.some((a) => a.startsWith('s3:')));

    // Assess
    expect(s3Statements.map(({ policy: _p, ...st }) => st)).toEqual(
      expect.arrayContaining([
        {
          Effect: 'Allow',
          Action: ['s3:GetObject'],
          Resource: [expect.stringMatching(/^<StorageLanding\w+\.Arn>\/landing\/\*$/)],
        },
        {
          Effect: 'Allow',
          Action: ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:PutObject'],
          Resource: [
            expect.stringMatching(/^<StorageLake\w+\.Arn>\/lake\/\*$/),
            expect.stringMatching(/^<StorageLake\w+\.Arn>\/quarantine\/\*$/),
          ],
        },
        {
          Effect: 'Allow',
          Action: ['s3:ListBucket'],
          Resource: [expect.stringMatching(/^<StorageLake\w+\.Arn>$/)],
          Condition: { StringLike: { 's3:prefix': ['lake/*', 'quarantine/*'] } },
        },
      ]),
    );
    expect(s3Statements).toHaveLength(3);
    expect(fn('NormalizerFunction')[1].Properties.Environment.Variables.LAKE_BUCKET).toEqual({
      Ref: resourceNamed(s.template, 'AWS::S3::Bucket', 'StorageLake')[0],
    });
  });

  it('validates its props, reporting every problem at once', () => {
    // Prepare
    const stack = new Stack(testApp(), 'T');
    const bucket = new s3.Bucket(stack, 'B');

    // Act
    const act = () =>
      new Normalizer(stack, 'N', {
        landingBucket: bucket,
        lakeBucket: bucket,
        configJson: '{}',
        landingPrefixes: ['raw/'],
        timeout: Duration.hours(3),
        batchSize: 20,
        bundle: false,
      });

    // Assess
    expect(act).toThrow(
      /landingPrefixes must each start with landing\/[\s\S]*timeout must be[\s\S]*batchSize must be 1…10/,
    );
  });

  it('subscribes one notification per landing prefix when given several', () => {
    // Prepare
    const stack = new Stack(testApp(), 'T');
    const bucket = new s3.Bucket(stack, 'B');

    // Act
    new Normalizer(stack, 'N', {
      landingBucket: bucket,
      lakeBucket: bucket,
      configJson: '{}',
      landingPrefixes: ['landing/generic/', 'landing/zendesk/'],
      bundle: false,
    });
    const [, notifications] = Object.entries(
      Template.fromStack(stack).findResources('Custom::S3BucketNotifications'),
    )[0]! as [string, Cfn];

    // Assess
    expect(
      notifications.Properties.NotificationConfiguration.QueueConfigurations.map(
        (q: Cfn) => q.Filter.Key.FilterRules[0].Value,
      ),
    ).toEqual(['landing/generic/', 'landing/zendesk/']);
  });
});

describe('digest', () => {
  it('may send raw e-mail only as the configured SES identity', () => {
    // Prepare
    const statements = roleStatements(s.template, 'DigestFunctionRole');

    // Act
    const ses = statements.filter((st) => st.Action.some((a) => a.startsWith('ses:')));

    // Assess
    expect(ses).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Action: ['ses:SendRawEmail'],
        Resource: ['arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/servicepulse.test'],
      }),
    ]);
  });

  it('queries through the workgroup and may write the Iceberg results tables', () => {
    // Prepare
    const statements = roleStatements(s.template, 'DigestFunctionRole');

    // Act
    const actions = statements.flatMap((st) => st.Action);

    // Assess
    expect(actions).toEqual(
      expect.arrayContaining([
        'athena:StartQueryExecution',
        'athena:GetQueryResults',
        'glue:UpdateTable',
        's3:PutObject',
      ]),
    );
    expect(statements.find((st) => st.Action.includes('athena:StartQueryExecution'))!.Resource).toEqual([
      'arn:<AWS::Partition>:athena:<AWS::Region>:<AWS::AccountId>:workgroup/servicepulse',
    ]);
  });

  it('gets the environment the digest handler reads', () => {
    // Prepare / Act
    const env = fn('DigestFunction')[1].Properties.Environment.Variables;

    // Assess
    expect(env).toMatchObject({
      ATHENA_WORKGROUP: 'servicepulse',
      GLUE_DATABASE: 'servicepulse',
      SES_IDENTITY: 'servicepulse.test',
    });
    expect(flatten(env.RESULTS_BUCKET)).toMatch(/^<StorageResults\w+>$/);
  });

  it('files messages under outbox/ of the results bucket', () => {
    // Prepare
    const statements = roleStatements(s.template, 'DigestFunctionRole');

    // Act
    const outbox = statements.find((st) => st.Resource.some((r) => r.endsWith('/outbox/*')));

    // Assess
    expect(outbox).toMatchObject({
      Action: ['s3:AbortMultipartUpload', 's3:PutObject'],
      Resource: [expect.stringMatching(/^<StorageResults\w+\.Arn>\/outbox\/\*$/)],
    });
  });

  it('sends as the domain of digest.from unless -c sesIdentity names another identity', () => {
    // Prepare
    const other = synth({ sesIdentity: 'digest@mail.servicepulse.test' });

    // Act
    const [, digest] = resourceNamed(other.template, 'AWS::Lambda::Function', 'DigestFunction');
    const ses = roleStatements(other.template, 'DigestFunctionRole').find((st) =>
      st.Action.includes('ses:SendRawEmail'),
    );

    // Assess: the fixture's digest.from is "Servicepulse <kpi@servicepulse.test>"
    expect(fn('DigestFunction')[1].Properties.Environment.Variables.SES_IDENTITY).toBe('servicepulse.test');
    expect(digest.Properties.Environment.Variables.SES_IDENTITY).toBe('digest@mail.servicepulse.test');
    expect(ses!.Resource).toEqual([
      'arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/digest@mail.servicepulse.test',
    ]);
  });
});
