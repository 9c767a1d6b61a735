/**
 * The CDK app: `npx cdk synth|diff|deploy [-c config=servicepulse.config.yaml] [-c alarmEmail=…]`.
 * Context keys: infra/build.ts. AwsSolutionsChecks (cdk-nag) runs on every synth: an unsuppressed
 * finding fails it, so the security review cannot be skipped (`-c nag=false` turns it off locally).
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError } from '../functions/core/config.ts';
import { buildServicepulse } from './build.ts';
import { PropsError } from './validate.ts';

const app = new App();
try {
  buildServicepulse(app);
} catch (e) {
  if (e instanceof ConfigError || e instanceof PropsError) {
    process.stderr.write(`servicepulse: ${e.message}\n`);
    process.exit(1);
  }
  throw e;
}
if (String(app.node.tryGetContext('nag') ?? 'true') !== 'false') {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
}
