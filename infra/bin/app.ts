/** The CDK app: `npx cdk deploy --all` (or `npm run synth` to synthesize offline). */
import { Annotations, App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CONTEXT_KEYS, ConfigError, readConfig } from '../config.ts';
import { PipelineStack } from '../stacks/pipeline-stack.ts';
import { applySuppressions } from '../stacks/nag-suppressions.ts';

/**
 * CDK feature flags, set here rather than in cdk.json so that tests, the twin and `cdk deploy`
 * synthesize the same template. A flag given on the command line (-c) still wins.
 */
export const FEATURE_FLAGS = {
  '@aws-cdk/aws-iam:minimizePolicies': true,
  // Log delivery by bucket policy, not the deprecated LogDeliveryWrite ACL.
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
} as const;

export interface AppOptions {
  /** Run cdk-nag; off for the local twin, which synthesizes only to read the definition. */
  readonly nag?: boolean;
  /** Account and region; by default what the CDK CLI sets on deploy (none: environment-agnostic). */
  readonly env?: { readonly account?: string | undefined; readonly region?: string | undefined };
}

export function buildApp(app = new App(), options: AppOptions = {}): { app: App; pipeline: PipelineStack } {
  const { nag = true } = options;
  for (const [flag, value] of Object.entries(FEATURE_FLAGS))
    if (app.node.tryGetContext(flag) === undefined) app.node.setContext(flag, value);
  const config = readConfig((key) => app.node.tryGetContext(key));
  const unknown = Object.keys(app.node.getAllContext()).filter(
    (key) => /^[a-z][A-Za-z0-9]*$/.test(key) && !(CONTEXT_KEYS as readonly string[]).includes(key),
  );
  const env = options.env ?? {
    account: process.env.CDK_DEFAULT_ACCOUNT,
    region: process.env.CDK_DEFAULT_REGION,
  };
  const pipeline = new PipelineStack(app, 'MoviesPipeline', {
    config,
    ...(env.account && env.region ? { env: { account: env.account, region: env.region } } : {}),
    description: 'movies-gds: S3 → EventBridge → Step Functions → Glue → Redshift → SNS',
  });
  applySuppressions(pipeline);
  for (const key of unknown)
    Annotations.of(pipeline).addWarningV2(
      'movies-gds:unknownContext',
      `Context ${key} is not a setting of this app and was ignored (README, Deploy, lists them).`,
    );
  if (nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, pipeline };
}

/** `-c key=value` / `--context key=value` pairs, as the CDK CLI takes them (for npm run synth). */
export function contextArgs(argv: readonly string[]): Record<string, string> {
  const context: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] !== '-c' && argv[i] !== '--context') continue;
    const pair = argv[++i] ?? '';
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ConfigError(`Expected key=value after ${argv[i - 1]}; got "${pair}".`);
    context[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return context;
}

// Run directly (npm run synth) or by the CDK CLI, which sets CDK_OUTDIR and passes context itself.
if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const context = contextArgs(process.argv.slice(2));
    buildApp(new App({ outdir: process.env.CDK_OUTDIR ?? 'cdk.out', context })).app.synth();
  } catch (err) {
    // A setting that cannot be deployed is the user's to fix: one sentence, no stack trace.
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exitCode = 1;
  }
}
