/**
 * The house Lambda function: NodejsFunction with Servicepulse's defaults, and `bind*` helpers that
 * grant exactly what a handler uses and set the environment variable it reads, in one call (the
 * grants themselves live in infra/grants.ts).
 *
 * Defaults: nodejs22.x on ARM64, active X-Ray tracing, JSON log format into an explicit log group
 * with a retention, an own role with no managed policies, ESM bundle built by local esbuild with
 * source maps, the AWS SDK bundled (pinned to the version the tests ran against).
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { grantObjects, type ObjectGrant, sesIdentityArn } from '../grants.ts';
import { REPO_ROOT, repoPath } from '../paths.ts';
import { Problems } from '../validate.ts';
import type { LakeCatalog } from './catalog.ts';
import type { AthenaWorkgroup } from './workgroup.ts';

/** Where the bundle's copy of queries/ lands inside the function (LAMBDA_TASK_ROOT is /var/task). */
export const BUNDLED_QUERIES_DIR = '/var/task/queries';

/** Lambda's limit on the total size of a function's environment variables. */
export const ENVIRONMENT_LIMIT_BYTES = 4096;

export interface ServicepulseFunctionProps {
  /** Handler file, relative to the repository root (`functions/handlers/normalizer.ts`). */
  readonly entry: string;
  readonly description: string;
  /** @default Duration.minutes(1) */
  readonly timeout?: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default {} */
  readonly environment?: Record<string, string>;
  /** @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  /** Removal policy of the log group. @default RemovalPolicy.DESTROY */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * Copy queries/ into the bundle and point SERVICEPULSE_QUERIES at it (functions that render SQL).
   * @default false
   */
  readonly withQueries?: boolean;
  /**
   * Bundle the entry with esbuild. `false` deploys a placeholder instead: for tests of the
   * infrastructure, which then synthesize in seconds and without the handlers' sources.
   * @default true
   */
  readonly bundle?: boolean;
  /**
   * Packages installed into the bundle's node_modules instead of inlined by esbuild: ones that
   * load files beside their own code at run time (parquet-wasm reads its `.wasm` from __dirname).
   * @default []
   */
  readonly nodeModules?: string[];
}

/** Options of {@link ServicepulseFunction.bindBucket}: the object grant, and where the name goes. */
export interface BindBucketOptions extends ObjectGrant {
  /** Environment variable that receives the bucket name. @default none */
  readonly envVarName?: string;
}

export class ServicepulseFunction extends NodejsFunction {
  declare readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ServicepulseFunctionProps) {
    checkFunctionProps(id, props);
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    const role = executionRole(scope, id, logGroup);
    const bundle = props.bundle ?? true;
    super(scope, id, {
      entry: repoPath(props.entry),
      handler: bundle ? 'handler' : 'index.handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.minutes(1),
      tracing: lambda.Tracing.ACTIVE,
      loggingFormat: lambda.LoggingFormat.JSON,
      logGroup,
      role,
      environment: functionEnvironment(bundle, props),
      projectRoot: REPO_ROOT,
      depsLockFilePath: repoPath('package-lock.json'),
      ...(bundle ? { bundling: esbuildOptions(props) } : { code: placeholderCode() }),
    });
  }

  /** Sets the deployment configuration (validated at synth time) as SERVICEPULSE_CONFIG. */
  bindConfig(configJson: string): this {
    this.addEnvironment('SERVICEPULSE_CONFIG', configJson);
    return this;
  }

  /**
   * Grants object access under `prefixes` of a bucket (and its KMS key: see {@link grantObjects})
   * and sets `envVarName` to the bucket's name.
   */
  bindBucket(options: BindBucketOptions): this {
    grantObjects(this.role, options);
    if (options.envVarName) this.addEnvironment(options.envVarName, options.bucket.bucketName);
    return this;
  }

  /**
   * Lets the handler run Athena queries in the workgroup over the catalog's tables (reading the
   * lake and results; with `writeResults`, also MERGE into the Iceberg results tables), and sets
   * ATHENA_WORKGROUP and GLUE_DATABASE.
   */
  bindWorkgroup(options: { workgroup: AthenaWorkgroup; catalog: LakeCatalog; writeResults?: boolean }): this {
    options.workgroup.grantQuery(this);
    if (options.writeResults) options.catalog.grantWriteResults(this);
    else options.catalog.grantRead(this);
    this.addEnvironment('ATHENA_WORKGROUP', options.workgroup.name);
    this.addEnvironment('GLUE_DATABASE', options.catalog.databaseName);
    return this;
  }

  /** Lets the handler send raw e-mail as one verified SES identity only, and sets SES_IDENTITY. */
  bindSender(identity: string): this {
    this.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['ses:SendRawEmail'], resources: [sesIdentityArn(this, identity)] }),
    );
    this.addEnvironment('SES_IDENTITY', identity);
    return this;
  }
}

/** Total bytes of a function's environment as Lambda counts them (keys and values). */
export function environmentSize(env: Record<string, string>): number {
  return Object.entries(env).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
}

/** What the function runs when `bundle` is false (infrastructure tests): never invoked. */
function placeholderCode(): lambda.Code {
  return lambda.Code.fromInline('exports.handler = async () => { throw new Error("placeholder"); };');
}

function checkFunctionProps(id: string, props: ServicepulseFunctionProps): void {
  new Problems(`ServicepulseFunction ${id}`)
    .check(/^[\w./-]+\.ts$/.test(props.entry), `entry must be a .ts file path, got ${props.entry}`)
    .check(
      props.memorySize === undefined || (props.memorySize >= 128 && props.memorySize <= 10240),
      'memorySize must be 128…10240 MB',
    )
    .throwIfAny();
}

/** The function's own role: instead of the AWSLambdaBasicExecutionRole managed policy, writes to its log group only. */
function executionRole(scope: Construct, id: string, logGroup: logs.ILogGroup): iam.Role {
  const role = new iam.Role(scope, `${id}Role`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `Servicepulse ${id} function`,
  });
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
    }),
  );
  return role;
}

function functionEnvironment(bundle: boolean, props: ServicepulseFunctionProps): Record<string, string> {
  return {
    // Stack traces point into the TypeScript sources (the bundle ships its source map).
    ...(bundle ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
    ...(props.withQueries ? { SERVICEPULSE_QUERIES: BUNDLED_QUERIES_DIR } : {}),
    ...props.environment,
  };
}

/** esbuild settings: an ESM bundle for node22, minified, with source maps (and queries/ when asked). */
function esbuildOptions(props: ServicepulseFunctionProps): BundlingOptions {
  return {
    format: OutputFormat.ESM,
    target: 'node22',
    minify: true,
    sourceMap: true,
    sourcesContent: false,
    mainFields: ['module', 'main'],
    // Bundled CommonJS dependencies call require(); ESM has none unless we make one.
    banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    externalModules: [],
    ...(props.nodeModules?.length ? { nodeModules: props.nodeModules } : {}),
    forceDockerBundling: false,
    ...(props.withQueries
      ? {
          commandHooks: {
            beforeBundling: () => [],
            beforeInstall: () => [],
            afterBundling: (inputDir: string, outputDir: string) => [
              `cp -r "${inputDir}/queries" "${outputDir}/queries"`,
            ],
          },
        }
      : {}),
  };
}
