/**
 * The security review's accepted findings (cdk-nag AwsSolutions), each with its reason.
 *
 * cdk-nag 3 reads acknowledgments from CDK's `Validations.of(construct).acknowledge({ id, reason })`
 * (it replaced v2's NagSuppressions). Granular rules (IAM4, IAM5) are acknowledged finding by
 * finding, and only findings that match a rule below are: a new wildcard nobody has reasoned
 * about still fails the review. The acknowledgments are recorded by an aspect, so they see the
 * final policies; the same stack is reviewed by `cdk synth` (infra/app.ts) and by
 * test/infra/nag.test.ts.
 */
import { Aspects, CfnResource, type IAspect, Stack, Validations } from 'aws-cdk-lib';
import { CfnPolicy } from 'aws-cdk-lib/aws-iam';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { rules } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/** Actions that have no resource-level permissions, so IAM requires `Resource: *` for them. */
export const RESOURCELESS_ACTIONS = new Set([
  // X-Ray active tracing (Lambda functions and the state machine)
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  // Step Functions logging to CloudWatch Logs (vended log delivery)
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
]);

/** Key prefixes whose objects a principal may be granted wholesale (see infra/constructs/storage.ts). */
const OWNED_PREFIXES = ['landing', 'lake', 'quarantine', 'iceberg', 'athena', 'statements', 'outbox'];

interface WildcardRule {
  finding: RegExp;
  reason: string;
}

const WILDCARD_RULES: readonly WildcardRule[] = [
  {
    // <Bucket.Arn>/<prefix>/* for the stack's buckets, arn:…:s3:::<name>/landing/* for an existing one
    finding: new RegExp(
      `^Resource::(<[A-Za-z0-9]+\\.Arn>|arn:<AWS::Partition>:s3:::[a-z0-9.-]+)/(${OWNED_PREFIXES.join('|')})/\\*$`,
    ),
    reason:
      'Object-level access under one key prefix of a Servicepulse bucket. The keys are created at run time (one per landed file, partition, statement or Iceberg data file), so they cannot be listed in the policy; the prefix is the narrowest fixed scope.',
  },
  {
    finding: /^Resource::arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:table\/[a-z0-9_]+\/\*$/,
    reason:
      'The tables of the one Servicepulse Glue database: Athena resolves every table a statement names (lake entities, kpi_results, kpi_flags, kpi_definitions) with the caller’s credentials.',
  },
  {
    finding: /^Resource::<[A-Za-z0-9]+\.Arn>:\*$/,
    reason:
      'Versions and aliases of the Servicepulse Lambda functions the state machine invokes (the grant CDK’s LambdaInvoke task makes); no other function is reachable.',
  },
];

interface PolicyStatementJson {
  Effect?: string;
  Action?: string | string[];
  Resource?: unknown;
}

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** True when every Allow statement on `*` grants only actions IAM cannot scope to a resource. */
function starOnlyForResourcelessActions(policy: CfnPolicy): boolean {
  const doc = Stack.of(policy).resolve(policy.policyDocument) as { Statement?: PolicyStatementJson[] };
  return (doc.Statement ?? [])
    .filter((s) => s.Effect === 'Allow' && asArray(s.Resource).includes('*'))
    .every((s) => asArray(s.Action).every((a) => RESOURCELESS_ACTIONS.has(a)));
}

class ServicepulseAcknowledgments implements IAspect {
  visit(node: IConstruct): void {
    if (!CfnResource.isCfnResource(node)) return;
    const path = node.node.path;

    if (node instanceof CfnPolicy) {
      const findings = rules.iam.IAMNoWildcardPermissions(node);
      if (!Array.isArray(findings)) return;
      for (const finding of findings) {
        if (finding === 'Resource::*') {
          if (starOnlyForResourcelessActions(node)) {
            acknowledge(
              node,
              `AwsSolutions-IAM5[${finding}]`,
              'Only X-Ray tracing and CloudWatch Logs delivery actions use Resource "*"; these actions support no resource-level permissions.',
            );
          }
          continue;
        }
        const rule = WILDCARD_RULES.find((r) => r.finding.test(finding));
        if (rule) acknowledge(node, `AwsSolutions-IAM5[${finding}]`, rule.reason);
      }
      return;
    }

    if (
      node.cfnResourceType === 'AWS::IAM::Role' &&
      /\/BucketNotificationsHandler[0-9a-f]+\/Role\/Resource$/.test(path)
    ) {
      acknowledge(
        node,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'CDK’s own BucketNotificationsHandler (the custom resource that configures the landing bucket’s S3 → SQS notifications) logs with the AWS managed basic execution policy; it runs only during deployments.',
      );
      return;
    }

    if (node instanceof CfnFunction && node.runtime === 'nodejs22.x') {
      acknowledge(
        node,
        'AwsSolutions-L1',
        'Pinned to nodejs22.x, the runtime the handlers are built (esbuild target node22) and tested for; moving to a newer Node.js runtime is a deliberate upgrade, not a silent one.',
      );
    }
  }
}

function acknowledge(node: IConstruct, id: string, reason: string): void {
  Validations.of(node).acknowledge({ id, reason });
}

/** Records the stack's accepted findings; construct-specific ones live next to their construct. */
export function applyNagSuppressions(stack: Stack): void {
  Aspects.of(stack).add(new ServicepulseAcknowledgments());
}

/** Acknowledgments recorded in a construct tree: rule id → reason (for the report and tests). */
export function acknowledgedRules(scope: IConstruct): Map<string, { reason: string; paths: string[] }> {
  const out = new Map<string, { reason: string; paths: string[] }>();
  for (const c of scope.node.findAll()) {
    for (const entry of c.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        const key = id.replace(/^annotation::/i, '');
        const seen = out.get(key) ?? { reason: String(reason), paths: [] };
        seen.paths.push(c.node.path);
        out.set(key, seen);
      }
    }
  }
  return out;
}
