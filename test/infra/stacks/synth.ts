/** One synthesis of the app for all infra tests (synth takes a few seconds). */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../../infra/bin/app.ts';
import type { CfnTemplate } from '../../../local-aws/asl.ts';

export interface Synthesized {
  readonly app: App;
  readonly template: Template;
  readonly json: CfnTemplate;
}

/** The three ways the app is synthesized: as CI does, and as `cdk deploy` does in two regions. */
export const ENVIRONMENTS = {
  agnostic: {},
  'eu-west-1': { account: '123456789012', region: 'eu-west-1' },
  // Two Availability Zones only: Redshift Serverless's three subnets must fit in two.
  'us-west-1': { account: '123456789012', region: 'us-west-1' },
} as const;
export type EnvironmentName = keyof typeof ENVIRONMENTS;

const cached = new Map<string, Synthesized>();

/** The app in an environment; `context` adds to (or overrides) the context CI synthesizes with. */
export function synth(
  name: EnvironmentName = 'agnostic',
  context: Record<string, unknown> = {},
): Synthesized {
  const key = `${name} ${JSON.stringify(context)}`;
  let s = cached.get(key);
  if (!s) {
    const { app, pipeline } = buildApp(
      new App({
        context: { githubRepository: 'acme/movies-data', alertEmails: 'data-team@example.com', ...context },
      }),
      { env: ENVIRONMENTS[name] },
    );
    const template = Template.fromStack(pipeline);
    s = { app, template, json: template.toJSON() as CfnTemplate };
    cached.set(key, s);
  }
  return s;
}

/** The logical id of the only resource of a type whose properties include `match`. */
export function logicalId(
  json: CfnTemplate,
  type: string,
  match: (props: Record<string, unknown>) => boolean = () => true,
): string {
  const ids = Object.entries(json.Resources)
    .filter(([, r]) => r.Type === type && match(r.Properties ?? {}))
    .map(([id]) => id);
  if (ids.length !== 1) throw new Error(`expected one ${type}, found ${ids.length}`);
  return ids[0]!;
}
