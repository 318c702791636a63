/**
 * The Lambda handler's start and what it logs: a transient failure is not kept, a configuration
 * error reads as one, a warning is not repeated by Lambda's retries.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { LogLevel } from '@slack/bolt';
import { createHandler } from '../../bot/lambda.ts';
import { recordingLogger } from './recording-logger.ts';

const saved = { ...process.env };
const settings = {
  MOVIES_ALERT_CHANNEL: 'C0ALERTS1',
  MOVIES_DATA_CHANNEL: 'C0DATA123',
  AWS_REGION: 'us-east-1',
  MOVIES_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:p',
  MOVIES_TOPIC_ARNS: 'arn:aws:sns:us-east-1:123456789012:t',
};
const secret = { signingSecret: 's', botToken: 'xoxb-t' };
const noRecords = { Records: [] };
afterEach(() => void (process.env = { ...saved }));

describe('the Lambda cold start', () => {
  it('tries again on the next invocation after reading the secret failed', async () => {
    Object.assign(process.env, settings);
    let reads = 0;
    const handler = createHandler({
      secrets: async () => {
        if (++reads === 1) throw new Error('ThrottlingException: Rate exceeded');
        return secret;
      },
      logger: recordingLogger(),
    });
    await expect(handler(noRecords, {})).rejects.toThrow('ThrottlingException: Rate exceeded');
    expect(await handler(noRecords, {})).toEqual({ ok: true });
    expect(await handler(noRecords, {})).toEqual({ ok: true });
    expect(reads).toBe(2);
  });

  it('logs a configuration error one sentence a line and throws it as a ConfigError', async () => {
    Object.assign(process.env, { ...settings, MOVIES_TOPIC_ARNS: 'garbage' });
    const logger = recordingLogger();
    const handler = createHandler({ secrets: async () => secret, logger });
    const err = await handler(noRecords, {}).then(
      () => new Error('started'),
      (e: unknown) => e as Error,
    );
    expect(err.name).toBe('ConfigError');
    expect(logger.at(LogLevel.ERROR)).toEqual([
      'MOVIES_TOPIC_ARNS has a value that is not an SNS topic ARN: "garbage".',
    ]);
  });

  it('warns of a record from another topic once, not again on each retry of its batch', async () => {
    Object.assign(process.env, settings);
    const logger = recordingLogger();
    const handler = createHandler({ secrets: async () => secret, logger });
    const TopicArn = 'arn:aws:sns:us-east-1:999999999999:other';
    const batch = { Records: [{ EventSource: 'aws:sns', Sns: { MessageId: 'x', TopicArn, Message: '{}' } }] };
    for (let i = 0; i < 3; i++) expect(await handler(batch, {})).toEqual({ ok: true });
    expect(logger.at(LogLevel.WARN)).toEqual([
      `Ignored SNS message x from ${TopicArn}: not an allowed topic.`,
    ]);
  });
});
