import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { acknowledgedRules } from '../../infra/nag.ts';
import {
  type Cfn,
  flatten,
  iamStatements,
  type Resource,
  resources,
  type Synthesized,
  synth,
} from './support.ts';

let s: Synthesized;
beforeAll(() => {
  // The one synth of the suite with CDK's CloudFormation schema validation on, as `cdk synth`
  // runs it (cdk.json turns its findings into errors): an invalid property fails here.
  s = synth({}, true);
});

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged error or warning', () => {
    // Prepare
    const pack = new AwsSolutionsChecks(s.app, { verbose: true });

    // Act
    const report = pack.validateScope(s.app);

    // Assess
    const findings = report.violations.map(
      (v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('acknowledges findings only with a written reason, and only of the reviewed kinds', () => {
    // Prepare / Act
    const acknowledged = acknowledgedRules(s.stack);

    // Assess
    expect(acknowledged.size).toBeGreaterThan(0);
    for (const [id, { reason }] of acknowledged) {
      expect(id).toMatch(
        /^AwsSolutions-(IAM5\[Resource::.+\]|IAM4\[Policy::.+AWSLambdaBasicExecutionRole\]|L1|SQS3)$/,
      );
      expect(reason.length, id).toBeGreaterThan(60);
    }
    // No acknowledgment of a wildcard action, anywhere
    expect([...acknowledged.keys()].filter((id) => id.includes('[Action::'))).toEqual([]);
  });
});

const WILDCARD_ACTION = /^(\*|[a-z0-9-]+:\*)$/;

describe('IAM policies', () => {
  it('never allow service:* (or *) on Cfn resource in identity policies', () => {
    // Prepare
    const statements = iamStatements(s.template).filter((st) => st.Effect === 'Allow');

    // Act
    const wildcardActions = statements.filter((st) => st.Action.some((a) => WILDCARD_ACTION.test(a)));

    // Assess
    expect(statements.length).toBeGreaterThan(20);
    expect(wildcardActions).toEqual([]);
  });

  it('use Resource "*" only for actions that have no resource-level permissions', () => {
    // Prepare
    const statements = iamStatements(s.template).filter(
      (st) => st.Effect === 'Allow' && st.Resource.includes('*'),
    );

    // Act
    const actions = new Set(statements.flatMap((st) => st.Action));

    // Assess
    for (const a of actions)
      expect(a).toMatch(
        /^(xray:(PutTraceSegments|PutTelemetryRecords|GetSampling\w+)|logs:\w*(LogDeliver\w+|ResourcePolic\w+|DescribeLogGroups)|s3:PutBucketNotification)$/,
      );
  });

  it('grant nothing wildcard through resource policies, except the KMS key’s delegation to the account', () => {
    // Prepare
    const policies: [string, Resource, Cfn][] = [
      ...resources(s.template, 'AWS::S3::BucketPolicy').map(
        ([id, r]) => [id, r, r.Properties.PolicyDocument] as [string, Resource, Cfn],
      ),
      ...resources(s.template, 'AWS::SQS::QueuePolicy').map(
        ([id, r]) => [id, r, r.Properties.PolicyDocument] as [string, Resource, Cfn],
      ),
      ...resources(s.template, 'AWS::SNS::TopicPolicy').map(
        ([id, r]) => [id, r, r.Properties.PolicyDocument] as [string, Resource, Cfn],
      ),
      ...resources(s.template, 'AWS::KMS::Key').map(
        ([id, r]) => [id, r, r.Properties.KeyPolicy] as [string, Resource, Cfn],
      ),
    ];

    // Act
    const wildcardAllows = policies.flatMap(([id, , doc]) =>
      (doc.Statement as Cfn[])
        .filter(
          (st) => st.Effect === 'Allow' && [st.Action].flat().some((a: string) => WILDCARD_ACTION.test(a)),
        )
        .map((st) => ({ id, principal: flatten(st.Principal?.AWS ?? st.Principal), action: st.Action })),
    );

    // Assess: the key policy's default statement that lets IAM policies of this account use the key
    expect(wildcardAllows).toEqual([
      {
        id: expect.stringMatching(/^StorageKey/),
        principal: 'arn:<AWS::Partition>:iam::<AWS::AccountId>:root',
        action: 'kms:*',
      },
    ]);
  });
});
