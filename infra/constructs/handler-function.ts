/** A small Node.js Lambda behind one of our custom resources: current runtime, arm64, its own log group. */
import type { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';

/** How every function of ours is bundled: ESM, minified, esbuild saying only what went wrong. */
export const BUNDLING = {
  format: nodejs.OutputFormat.ESM,
  target: 'node22',
  minify: true,
  sourceMap: false,
  logLevel: nodejs.LogLevel.ERROR,
} as const satisfies nodejs.BundlingOptions;

export function handlerFunction(
  scope: Construct,
  id: string,
  props: { readonly entry: URL; readonly timeout: Duration },
): nodejs.NodejsFunction {
  return new nodejs.NodejsFunction(scope, id, {
    entry: fileURLToPath(props.entry),
    handler: 'handler',
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    timeout: props.timeout,
    logGroup: new logs.LogGroup(scope, `${id}Logs`, { retention: logs.RetentionDays.ONE_MONTH }),
    bundling: BUNDLING,
  });
}
