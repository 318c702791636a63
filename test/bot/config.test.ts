import { describe, expect, it } from '@jest/globals';
import { readBotConfig, readWarehouseConfig } from '../../bot/config.ts';

const slack = {
  SLACK_SIGNING_SECRET: 'secret',
  SLACK_BOT_TOKEN: 'xoxb-test',
  MOVIES_ALERT_CHANNEL: 'C0ALERTS1',
  MOVIES_DATA_CHANNEL: 'C0DATA123',
};

describe('the deployed configuration', () => {
  it("has no defaults for where the pipeline is: each missing one is named, the twin's never used", () => {
    expect(() => readBotConfig(slack)).toThrow(
      [
        'The bot is not configured:',
        "  - MOVIES_STATE_MACHINE_ARN is missing: the pipeline's state machine, for /movies status (stack output StateMachineArn).",
        "  - AWS_REGION is missing: the AWS region of the pipeline's resources (or AWS_DEFAULT_REGION).",
        "  - MOVIES_TOPIC_ARNS is missing: the pipeline's SNS topics to accept, comma-separated.",
      ].join('\n'),
    );
    expect(() => readWarehouseConfig({})).toThrow(
      [
        'The bot is not configured:',
        "  - MOVIES_STATE_MACHINE_ARN is missing: the pipeline's state machine, for /movies status (stack output StateMachineArn).",
        "  - AWS_REGION is missing: the AWS region of the pipeline's resources (or AWS_DEFAULT_REGION).",
      ].join('\n'),
    );
  });

  it('takes what it is given, the region from AWS_DEFAULT_REGION too', () => {
    const config = readBotConfig({
      ...slack,
      AWS_DEFAULT_REGION: 'eu-west-1',
      MOVIES_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:movies-pipeline',
      MOVIES_TOPIC_ARNS: 'arn:aws:sns:eu-west-1:123456789012:a, arn:aws:sns:eu-west-1:123456789012:b',
    });
    expect(config).toMatchObject({
      region: 'eu-west-1',
      stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:movies-pipeline',
      topicArns: ['arn:aws:sns:eu-west-1:123456789012:a', 'arn:aws:sns:eu-west-1:123456789012:b'],
    });
  });

  it('names a region or state machine ARN that is not one, and takes FIFO topics', () => {
    expect(() =>
      readBotConfig({
        ...slack,
        AWS_REGION: 'not a region!',
        MOVIES_STATE_MACHINE_ARN: 'garbage',
        MOVIES_TOPIC_ARNS: 'arn:aws:sns:eu-west-1:123456789012:a.fifo',
      }),
    ).toThrow(
      [
        'The bot is not configured:',
        '  - MOVIES_STATE_MACHINE_ARN is not a Step Functions state machine ARN: "garbage".',
        '  - AWS_REGION is not an AWS region (such as eu-west-1): "not a region!".',
      ].join('\n'),
    );
    expect(() =>
      readWarehouseConfig({ AWS_DEFAULT_REGION: 'EU_WEST', MOVIES_STATE_MACHINE_ARN: 'x' }),
    ).toThrow('AWS_DEFAULT_REGION is not an AWS region (such as eu-west-1): "EU_WEST".');
    expect(
      readBotConfig({
        ...slack,
        AWS_REGION: 'us-gov-west-1',
        MOVIES_STATE_MACHINE_ARN: 'arn:aws-us-gov:states:us-gov-west-1:123456789012:stateMachine:movies',
        MOVIES_TOPIC_ARNS: 'arn:aws-us-gov:sns:us-gov-west-1:123456789012:a.fifo',
      }).topicArns,
    ).toEqual(['arn:aws-us-gov:sns:us-gov-west-1:123456789012:a.fifo']);
  });
});
