/** EventBridge: an object created under input_data/ with a .csv suffix starts the pipeline. */
import { Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PREFIXES } from '../../contract/lake.ts';

export interface DropTriggerProps {
  readonly bucket: s3.IBucket;
  readonly stateMachine: sfn.IStateMachine;
}

/** The rule's event pattern, also read by the local twin from the synthesized template. */
export function dropEventPattern(bucketName: string): events.EventPattern {
  return {
    source: ['aws.s3'],
    detailType: ['Object Created'],
    detail: {
      bucket: { name: [bucketName] },
      object: { key: [{ wildcard: `${PREFIXES.input}*.csv` }] },
    },
  };
}

export class DropTrigger extends Construct {
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: DropTriggerProps) {
    super(scope, id);
    // Events EventBridge could not deliver are kept, not lost.
    const deadLetters = new sqs.Queue(this, 'DeadLetters', {
      enforceSSL: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
    });
    Validations.of(deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the EventBridge target.',
    });
    this.rule = new events.Rule(this, 'Rule', {
      description: 'movies-gds: a CSV dropped under input_data/ starts the pipeline',
      eventPattern: dropEventPattern(props.bucket.bucketName),
      targets: [
        new targets.SfnStateMachine(props.stateMachine, { deadLetterQueue: deadLetters, retryAttempts: 8 }),
      ],
    });
  }
}
