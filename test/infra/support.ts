/**
 * Shared set-up of the infrastructure tests: the stack as `cdk synth` builds it (cdk.json context,
 * the fixture configuration), with placeholder code instead of esbuild bundles so a synth takes
 * seconds. Each test file synthesizes once and shares the Template.
 */
import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildServicepulse } from '../../infra/build.ts';
import { REPO_ROOT, repoPath } from '../../infra/paths.ts';
import type { ServicepulseStack } from '../../infra/stack.ts';

/** CloudFormation JSON as the tests read it: untyped by nature, checked by the assertions. */
// biome-ignore lint/suspicious/noExplicitAny: synthesized templates are untyped JSON
export type Cfn = any;

export const FIXTURE_CONFIG = 'test/infra/fixtures/servicepulse.config.yaml';

export function cdkJsonContext(): Record<string, unknown> {
  return JSON.parse(readFileSync(repoPath('cdk.json'), 'utf8')).context as Record<string, unknown>;
}

/** A bare App for construct-level tests (CloudFormation schema validation off: it costs ~15 s). */
export function testApp(context: Record<string, unknown> = {}): App {
  return new App({ builtinCloudFormationValidation: false, context });
}

export interface Synthesized {
  app: App;
  stack: ServicepulseStack;
  template: Template;
}

export function buildTestStack(
  context: Record<string, unknown> = {},
  validate = false,
): { app: App; stack: ServicepulseStack } {
  const app = new App({
    // CDK's built-in CloudFormation schema validation costs ~15 s; nag.test.ts runs it once.
    builtinCloudFormationValidation: validate,
    context: {
      ...cdkJsonContext(),
      config: FIXTURE_CONFIG,
      alarmEmail: 'oncall@servicepulse.test',
      ...context,
    },
  });
  return { app, stack: buildServicepulse(app, { bundle: false, cwd: REPO_ROOT }) };
}

export function synth(context: Record<string, unknown> = {}, validate = false): Synthesized {
  const { app, stack } = buildTestStack(context, validate);
  return { app, stack, template: Template.fromStack(stack) };
}

export type Resource = {
  Type: string;
  Properties: Record<string, Cfn>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
};

export function resources(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.findResources(type)) as [string, Resource][];
}

/** The one resource of a type whose logical id starts with `prefix`. */
export function resourceNamed(template: Template, type: string, prefix: string): [string, Resource] {
  const found = resources(template, type).filter(([id]) => id.startsWith(prefix));
  if (found.length !== 1)
    throw new Error(
      `expected one ${type} named ${prefix}*, found ${found.map(([id]) => id).join(', ') || 'none'}`,
    );
  return found[0]!;
}

/** Renders CloudFormation intrinsics as readable placeholders: {Ref: X} → <X>, GetAtt → <X.Attr>. */
export function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const v = value as Record<string, Cfn>;
  if (v && 'Ref' in v) return `<${v.Ref}>`;
  if (v && 'Fn::GetAtt' in v) return `<${(v['Fn::GetAtt'] as string[]).join('.')}>`;
  if (v && 'Fn::Join' in v)
    return (v['Fn::Join'][1] as unknown[]).map(flatten).join(v['Fn::Join'][0] as string);
  if (v && 'Fn::Select' in v)
    return `<select ${flatten(v['Fn::Select'][0])} of ${flatten(v['Fn::Select'][1])}>`;
  if (v && 'Fn::Split' in v) return `<split ${flatten(v['Fn::Split'][1])}>`;
  return JSON.stringify(value);
}

/** The state machine's Amazon States Language definition, intrinsics flattened into placeholders. */
export function stateMachineDefinition(template: Template): Record<string, Cfn> {
  const [, sm] = resources(template, 'AWS::StepFunctions::StateMachine')[0]!;
  return JSON.parse(flatten(sm.Properties.DefinitionString));
}

export interface Statement {
  policy: string;
  Effect: string;
  Action: string[];
  Resource: string[];
  Condition?: Record<string, unknown>;
}

/** Every statement of every IAM policy (inline role policies included), resources flattened. */
export function iamStatements(template: Template): Statement[] {
  const out: Statement[] = [];
  const add = (policy: string, doc: { Statement: Cfn[] }) => {
    for (const s of doc.Statement) {
      out.push({
        policy,
        Effect: s.Effect,
        Action: [s.Action].flat(),
        Resource: [s.Resource].flat().map(flatten),
        ...(s.Condition ? { Condition: s.Condition } : {}),
      });
    }
  };
  for (const [id, r] of resources(template, 'AWS::IAM::Policy')) add(id, r.Properties.PolicyDocument);
  for (const [id, r] of resources(template, 'AWS::IAM::ManagedPolicy')) add(id, r.Properties.PolicyDocument);
  for (const [id, r] of resources(template, 'AWS::IAM::Role')) {
    for (const p of r.Properties.Policies ?? []) add(`${id}/${p.PolicyName}`, p.PolicyDocument);
  }
  return out;
}

/** Statements of the policies attached to a role whose logical id starts with `rolePrefix`. */
export function roleStatements(template: Template, rolePrefix: string): Statement[] {
  const [roleId] = resourceNamed(template, 'AWS::IAM::Role', rolePrefix);
  const policies = resources(template, 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles as unknown[]).some((r) => flatten(r) === `<${roleId}>`))
    .map(([id]) => id);
  return iamStatements(template).filter((s) => policies.includes(s.policy));
}
