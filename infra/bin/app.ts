/** The CDK app: `npx cdk deploy --all` (or `npm run synth` to synthesize offline). */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readConfig } from '../config.ts';
import { PipelineStack } from '../stacks/pipeline-stack.ts';
import { applySuppressions } from '../stacks/nag-suppressions.ts';

/** The app; `nag: false` skips cdk-nag (the local twin synthesizes only to read the definition). */
export function buildApp(app = new App(), { nag = true } = {}): { app: App; pipeline: PipelineStack } {
  const config = readConfig((key) => app.node.tryGetContext(key));
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
  const pipeline = new PipelineStack(app, 'MoviesPipeline', {
    config,
    ...(env.account && env.region ? { env } : {}),
    description: 'movies-gds: S3 → EventBridge → Step Functions → Glue → Redshift → SNS',
  });
  applySuppressions(pipeline);
  if (nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, pipeline };
}

// Run directly (npm run synth) or by the CDK CLI, which sets CDK_OUTDIR.
if (import.meta.url === `file://${process.argv[1]}`)
  buildApp(new App({ outdir: process.env.CDK_OUTDIR ?? 'cdk.out' })).app.synth();
