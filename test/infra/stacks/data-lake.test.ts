import { describe, expect, it } from '@jest/globals';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildApp } from '../../../infra/bin/app.ts';
import { readConfig } from '../../../infra/config.ts';
import type { CfnTemplate } from '../../../local-aws/asl.ts';
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

  it.each(Object.keys(ENVIRONMENTS) as EnvironmentName[])(
    'with a fixed name (%s), depends on a check of that name, and cdk-nag finds nothing unacknowledged',
    (env) => {
      const { app, json } = synthWith(env, named);
      const stack = app.node.findChild('MoviesPipeline');
      const report = new AwsSolutionsChecks(app).validateScope(stack);
      expect(report.violations.map((v) => v.ruleName)).toEqual([]);

      const [, bucket] = lake(json);
      expect(bucket.Properties!.BucketName).toBe('acme-movies-lake');
      const checkId = logicalId(json, 'Custom::MoviesBucketNameCheck');
      expect(bucket.DependsOn).toEqual([checkId]);
      const check = json.Resources[checkId]!;
      expect(check.Properties).toMatchObject({ BucketName: 'acme-movies-lake', Adopt: 'false' });

      // The provider calls our handler, on Node.js 24.
      const token = JSON.stringify(check.Properties!.ServiceToken);
      const framework = Object.entries(json.Resources).find(([id]) => token.includes(id))![1];
      const variables = (framework.Properties!.Environment as { Variables: Record<string, unknown> })
        .Variables;
      const handlerId = (variables.USER_ON_EVENT_FUNCTION_ARN as { 'Fn::GetAtt': [string, string] })[
        'Fn::GetAtt'
      ][0];
      expect(handlerId).toMatch(/^DataLakeNameCheckHandler/);
      expect(json.Resources[handlerId]!.Properties).toMatchObject({ Runtime: 'nodejs24.x' });

      // Its only permission: s3:ListBucket (what HeadBucket needs) on that one bucket.
      const role = (json.Resources[handlerId]!.Properties!.Role as { 'Fn::GetAtt': [string, string] })[
        'Fn::GetAtt'
      ][0];
      const statements = Object.values(json.Resources)
        .filter(
          (r) =>
            r.Type === 'AWS::IAM::Policy' &&
            JSON.stringify((r.Properties as { Roles: unknown }).Roles) === JSON.stringify([{ Ref: role }]),
        )
        .flatMap(
          (p) => (p.Properties as { PolicyDocument: { Statement: unknown[] } }).PolicyDocument.Statement,
        );
      expect(statements).toEqual([
        {
          Action: 's3:ListBucket',
          Effect: 'Allow',
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::acme-movies-lake']] },
        },
      ]);
      const managed = JSON.stringify(
        (json.Resources[role]!.Properties as { ManagedPolicyArns?: unknown }).ManagedPolicyArns,
      );
      expect(managed).toMatch(/AWSLambdaBasicExecutionRole/);
    },
  );

  it('tells the check when the deploy adopts the bucket', () => {
    const { json } = synthWith('agnostic', { ...named, adoptBucket: 'true' });
    const check = json.Resources[logicalId(json, 'Custom::MoviesBucketNameCheck')]!;
    expect(check.Properties).toMatchObject({ BucketName: 'acme-movies-lake', Adopt: 'true' });
  });
});

describe('context bucketName and adoptBucket', () => {
  const config = (values: Record<string, string>) =>
    readConfig((k) => ({ githubRepository: 'acme/movies-data', ...values })[k]);
  it('adopts only a named bucket, and says so in one sentence', () => {
    expect(config({})).not.toHaveProperty('bucketName');
    expect(config({ bucketName: 'acme-lake', adoptBucket: 'true' })).toMatchObject({
      bucketName: 'acme-lake',
      adoptBucket: true,
    });
    expect(config({ bucketName: 'acme-lake', adoptBucket: 'false' })).not.toHaveProperty('adoptBucket');
    expect(() => config({ adoptBucket: 'true' })).toThrow(
      'Context adoptBucket needs bucketName, the name of the bucket to adopt.',
    );
    expect(() => config({ bucketName: 'acme-lake', adoptBucket: 'yes' })).toThrow(
      'Context adoptBucket must be true or false; got "yes".',
    );
  });
});
