/** One synthesis of the app for all infra tests (synth takes a few seconds). */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../../infra/bin/app.ts';
import type { CfnTemplate } from '../../../infra/local/asl.ts';

let cached: { app: App; template: Template; json: CfnTemplate } | null = null;

export function synth(): { app: App; template: Template; json: CfnTemplate } {
  if (!cached) {
    const { app, pipeline } = buildApp(
      new App({ context: { githubRepository: 'acme/movies-data', alertEmails: 'data-team@example.com' } }),
    );
    const template = Template.fromStack(pipeline);
    cached = { app, template, json: template.toJSON() as CfnTemplate };
  }
  return cached;
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
