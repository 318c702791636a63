import { describe, expect, it } from '@jest/globals';
import { LogLevel } from '@slack/bolt';
import type { Outcome } from '../../contract/outcome.ts';
import { handleNotification, type NotificationDeps } from '../../bot/handle-notification.ts';
import { MessageMemory } from '../../bot/message-memory.ts';
import { RateLimitedLog } from '../../bot/rate-limited-log.ts';
import { recordingLogger } from './recording-logger.ts';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:movies-pipeline-success';
const outcome = (status: Outcome['status']): string =>
  JSON.stringify({
    version: 1,
    status,
    source: { bucket: 'movies-gds', key: 'input_data/a.csv' },
    execution: {
      arn: 'arn:aws:states:us-east-1:123456789012:execution:p:run-1',
      name: 'run-1',
      startedAt: '',
      consoleUrl: '',
    },
  });

/** The core with its dependencies faked: what it posted, how often the views were said to change, what it logged. */
function core(post: (o: Outcome) => Promise<void> = async () => undefined) {
  const posted: Outcome[] = [];
  let viewsChanged = 0;
  const logger = recordingLogger();
  const deps: NotificationDeps = {
    topicArns: [TOPIC],
    memory: new MessageMemory(),
    post: async (o) => {
      await post(o);
      posted.push(o);
    },
    onViewsChanged: () => void viewsChanged++,
    logger,
    warnings: new RateLimitedLog((line) => logger.warn(line)),
  };
  return { deps, posted, logger, viewsChanged: () => viewsChanged };
}

describe('handling one SNS notification', () => {
  it('posts an outcome once, and says the views changed only after a load', async () => {
    const c = core();
    const m = { MessageId: 'm-1', TopicArn: TOPIC, Message: outcome('SUCCEEDED') };
    expect(await handleNotification(m, c.deps)).toBe('posted');
    expect(await handleNotification(m, c.deps)).toBe('repeated');
    expect(c.posted.map((o) => o.status)).toEqual(['SUCCEEDED']);
    expect(c.viewsChanged()).toBe(1);
    expect(
      await handleNotification({ MessageId: 'm-2', TopicArn: TOPIC, Message: outcome('FAILED') }, c.deps),
    ).toBe('posted');
    expect(c.viewsChanged()).toBe(1);
    expect(c.logger.at(LogLevel.WARN)).toEqual([]);
  });

  it('logs and skips a message that is not an outcome, and one from a topic not allowed', async () => {
    const c = core();
    const other = 'arn:aws:sns:us-east-1:123456789012:elsewhere';
    expect(await handleNotification({ MessageId: 'm-1', TopicArn: TOPIC, Message: 'hello' }, c.deps)).toBe(
      'not-an-outcome',
    );
    expect(
      await handleNotification({ MessageId: 'm-2', TopicArn: other, Message: outcome('SUCCEEDED') }, c.deps),
    ).toBe('not-allowed');
    expect(c.posted).toEqual([]);
    expect(c.logger.at(LogLevel.WARN)).toEqual([
      'SNS message m-1 is not a pipeline outcome: The pipeline outcome is not JSON.',
      `Ignored SNS message m-2 from ${other}: not an allowed topic.`,
    ]);
    // Retrying cannot make it an outcome: a redelivery is a repeat.
    expect(await handleNotification({ MessageId: 'm-1', TopicArn: TOPIC, Message: 'hello' }, c.deps)).toBe(
      'repeated',
    );
  });

  it('throws when posting fails, and lets the retry through', async () => {
    let slackDown = true;
    const c = core(async () => {
      if (slackDown) throw new Error('Slack is down');
    });
    const m = { MessageId: 'm-1', TopicArn: TOPIC, Message: outcome('PARTIAL') };
    await expect(handleNotification(m, c.deps)).rejects.toThrow('Slack is down');
    expect(c.viewsChanged()).toBe(0);
    slackDown = false;
    expect(await handleNotification(m, c.deps)).toBe('posted');
    expect(c.viewsChanged()).toBe(1);
  });

  it('tells a redelivery that arrives while the first is being posted from a repeat', async () => {
    let release!: () => void;
    const c = core(() => new Promise<void>((r) => (release = r)));
    const m = { MessageId: 'm-1', TopicArn: TOPIC, Message: outcome('SUCCEEDED') };
    const first = handleNotification(m, c.deps);
    expect(await handleNotification(m, c.deps)).toBe('in-progress');
    release();
    expect(await first).toBe('posted');
    expect(c.posted).toHaveLength(1);
    expect(await handleNotification(m, c.deps)).toBe('repeated');
  });

  it('logs what the sender chose escaped: a newline in the message cannot forge a log line', async () => {
    const c = core();
    const forged = JSON.stringify({ version: '1\n[ERROR] forged line' });
    await handleNotification({ MessageId: 'm-1\u001b[2K', TopicArn: TOPIC, Message: forged }, c.deps);
    await handleNotification({ MessageId: 'm-2', TopicArn: `${TOPIC}\nx`, Message: forged }, c.deps);
    expect(c.logger.at(LogLevel.WARN)).toEqual([
      'SNS message m-1\\u001b[2K is not a pipeline outcome: The pipeline outcome has version 1\\n[ERROR] forged line; this reader knows version 1.',
      `Ignored SNS message m-2 from ${TOPIC}\\nx: not an allowed topic.`,
    ]);
  });
});
