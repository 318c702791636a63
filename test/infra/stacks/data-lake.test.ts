import { describe, expect, it } from '@jest/globals';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../../infra/bin/app.ts';
import type { CfnTemplate } from '../../../infra/local/asl.ts';
import { ENVIRONMENTS, logicalId, type EnvironmentName } from './synth.ts';

type Resource = CfnTemplate['Resources'][string] & { DependsOn?: string | string[]; DeletionPolicy?: string };

/** The app as `cdk deploy` synthesizes it with this context (no Lambda bundling: only the template is read). */
function synthWith(
  name: EnvironmentName,
  context: Record<string, string> = {},
): { app: App; template: Template; json: CfnTemplate } {
  const { app, pipeline } = buildApp(
    new App({ context: { 'aws:cdk:bundling-stacks': [], githubRepository: 'acme/movies-data', ...context } }),
    { env: ENVIRONMENTS[name] },
  );
  const template = Template.fromStack(pipeline);
  return { app, template, json: template.toJSON() as CfnTemplate };
}
const named = { bucketName: 'acme-movies-lake' };

const lake = (json: CfnTemplate): [string, Resource] => {
  const id = logicalId(json, 'AWS::S3::Bucket', (p) => p.VersioningConfiguration !== undefined);
  return [id, json.Resources[id] as Resource];
};

describe('the data-lake bucket across cdk destroy', () => {
  it('is named by CloudFormation by default, so a redeploy never collides with the bucket a destroy kept', () => {
    const { json, template } = synthWith('eu-west-1');
    const [id, bucket] = lake(json);
    expect(bucket.Properties).not.toHaveProperty('BucketName');
    expect(bucket.DependsOn).toBeUndefined();
    template.resourceCountIs('Custom::MoviesBucketNameCheck', 0);
    // Users get the name from the stack output (the Action's bucket, the bot's MOVIES_BUCKET).
    template.hasOutput('BucketName', { Value: { Ref: id } });
  });

  it('is kept on delete and replacement, and removed when the deploy that created it rolls back', () => {
    const [, bucket] = lake(synthWith('agnostic', named).json);
    expect([bucket.DeletionPolicy, (bucket as { UpdateReplacePolicy?: string }).UpdateReplacePolicy]).toEqual(
      ['RetainExceptOnCreate', 'Retain'],
    );
  });
});
