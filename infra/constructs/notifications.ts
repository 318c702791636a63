/** The outcome topics: one for successes (data channel), one for failures (alert channel, e-mail). */
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { TOPIC_NAMES } from '../../contract/lake.ts';

export interface NotificationsProps {
  readonly alertEmails: readonly string[];
}

export class Notifications extends Construct {
  readonly success: sns.Topic;
  readonly failure: sns.Topic;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    const key = new kms.Key(this, 'Key', {
      enableKeyRotation: true,
      description: 'movies-gds pipeline notifications',
    });
    const topic = (id: string, name: string): sns.Topic =>
      new sns.Topic(this, id, {
        topicName: name,
        masterKey: key,
        enforceSSL: true,
        // Signature version 2 (SHA256): subscribers verify it.
        signatureVersion: '2',
      });
    this.success = topic('Success', TOPIC_NAMES.success);
    this.failure = topic('Failure', TOPIC_NAMES.failure);
    for (const email of props.alertEmails) this.failure.addSubscription(new subs.EmailSubscription(email));
  }
}
