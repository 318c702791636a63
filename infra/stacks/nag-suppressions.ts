/** cdk-nag findings on CDK's own helper resources, with the reason we accept them. */
import type { Stack } from 'aws-cdk-lib';
import { acknowledge } from '../constructs/nag.ts';

export function applySuppressions(stack: Stack): void {
  // The singleton Lambdas behind AwsCustomResource and S3 bucket notifications are CDK's, not ours.
  acknowledge(
    stack,
    "CDK's custom-resource and bucket-notification handlers log with AWSLambdaBasicExecutionRole.",
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
  );
}
