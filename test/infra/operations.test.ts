import { beforeAll, describe, expect, it } from 'vitest';
import { type Cfn, flatten, resourceNamed, resources, type Synthesized, synth } from './support.ts';

let s: Synthesized;
beforeAll(() => {
  s = synth();
});

const alarm = (prefix: string) => resourceNamed(s.template, 'AWS::CloudWatch::Alarm', prefix)[1].Properties;

describe('alarm topic', () => {
  it('is encrypted with the data key, which CloudWatch may use, and TLS-only', () => {
    // Prepare
    const [, topic] = resources(s.template, 'AWS::SNS::Topic')[0]!;
    const [keyId, key] = resources(s.template, 'AWS::KMS::Key')[0]!;
    const [, topicPolicy] = resources(s.template, 'AWS::SNS::TopicPolicy')[0]!;

    // Act
    const cloudwatch = (key.Properties.KeyPolicy.Statement as Cfn[]).find(
      (st) => st.Principal?.Service === 'cloudwatch.amazonaws.com',
    );

    // Assess
    expect(topic.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    expect(cloudwatch.Action).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    expect(topicPolicy.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('subscribes the alarm e-mail from the context', () => {
    // Prepare / Act
    const [, sub] = resources(s.template, 'AWS::SNS::Subscription')[0]!;

    // Assess
    expect(sub.Properties).toMatchObject({ Protocol: 'email', Endpoint: 'oncall@servicepulse.test' });
  });

  it('has no subscription without an alarm e-mail', () => {
    // Prepare
    const other = synth({ alarmEmail: '' });

    // Act / Assess
    expect(resources(other.template, 'AWS::SNS::Subscription')).toEqual([]);
  });
});

describe('alarms', () => {
  it('all notify the topic', () => {
    // Prepare
    const [topicId] = resources(s.template, 'AWS::SNS::Topic')[0]!;

    // Act
    const alarms = resources(s.template, 'AWS::CloudWatch::Alarm');

    // Assess
    expect(alarms).toHaveLength(7);
    for (const [, a] of alarms) {
      expect(a.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(a.Properties.TreatMissingData).toBe('notBreaching');
    }
  });

  it('fire when a dead-letter queue holds a message', () => {
    // Prepare
    const queues = {
      AlarmsNormalizerDeadLetterQueueNotEmpty: 'NormalizerDeadLetterQueue',
      AlarmsScheduleDeadLetterQueueNotEmpty: 'KpiScheduleScheduleDeadLetterQueue',
    };

    // Act / Assess
    for (const [alarmPrefix, queuePrefix] of Object.entries(queues)) {
      const a = alarm(alarmPrefix);
      const [queueId] = resourceNamed(s.template, 'AWS::SQS::Queue', queuePrefix);
      expect(a).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Statistic: 'Maximum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
      expect(a.Dimensions).toEqual([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }]);
    }
  });

  it('fires when a KPI run fails, times out or is aborted', () => {
    // Prepare
    const [smId] = resources(s.template, 'AWS::StepFunctions::StateMachine')[0]!;

    // Act
    const a = alarm('AlarmsKpiRunFailed');
    const metrics = (a.Metrics as Cfn[]).filter((m) => m.MetricStat);

    // Assess
    expect(a.Metrics.find((m: Cfn) => m.Expression).Expression).toBe('failed + timedOut + aborted');
    expect(metrics.map((m) => m.MetricStat.Metric.MetricName).sort()).toEqual(
      ['ExecutionsAborted', 'ExecutionsFailed', 'ExecutionsTimedOut'].sort(),
    );
    for (const m of metrics) {
      expect(m.MetricStat.Metric.Dimensions).toEqual([{ Name: 'StateMachineArn', Value: { Ref: smId } }]);
    }
    expect(a).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
  });

  it.each([
    ['AlarmsNormalizerErrors', 'NormalizerFunction'],
    ['AlarmsPlanRunErrors', 'KpiSchedulePlanFunction'],
    ['AlarmsDigestErrors', 'DigestFunction'],
  ])('%s fires on Cfn error of %s', (alarmPrefix, fnPrefix) => {
    // Prepare
    const [fnId] = resourceNamed(s.template, 'AWS::Lambda::Function', fnPrefix);

    // Act
    const a = alarm(alarmPrefix);

    // Assess
    expect(a).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Statistic: 'Sum',
      Threshold: 1,
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId } }],
    });
  });

  it('fires when the workgroup scans more than the threshold in an hour', () => {
    // Prepare
    const other = synth({ bytesScannedAlarmGiB: 2 });

    // Act
    const a = alarm('AlarmsAthenaBytesScanned');
    const b = resourceNamed(other.template, 'AWS::CloudWatch::Alarm', 'AlarmsAthenaBytesScanned')[1]
      .Properties;

    // Assess
    expect(a.Metrics).toEqual([
      expect.objectContaining({
        Expression:
          'SELECT SUM(ProcessedBytes) FROM SCHEMA("AWS/Athena", QueryState, QueryType, WorkGroup) WHERE WorkGroup = \'servicepulse\'',
        Period: 3600,
        ReturnData: true,
      }),
    ]);
    expect(a.Threshold).toBe(10 * 1024 ** 3);
    expect(b.Threshold).toBe(2 * 1024 ** 3);
  });
});

describe('structured logs', () => {
  it('writes every Servicepulse function log as JSON', () => {
    // Prepare
    const functions = resources(s.template, 'AWS::Lambda::Function').filter(
      ([id]) => !id.startsWith('BucketNotificationsHandler'),
    );

    // Act / Assess
    expect(functions).toHaveLength(3);
    for (const [, f] of functions) expect(f.Properties.LoggingConfig.LogFormat).toBe('JSON');
    expect(
      flatten(resources(s.template, 'AWS::Logs::LogGroup').map(([, l]) => l.Properties.RetentionInDays)),
    ).toBe('[90,90,90,90]');
  });
});
