/** Slack at the edge of the machine, faked by the local stand-in: every call is recorded. */
export {
  slackSignature,
  startLocalSlack as startFakeSlack,
  type LocalSlack as FakeSlack,
} from '../../demo/slack.ts';
import type { LocalSlack as FakeSlack } from '../../demo/slack.ts';
import type { Twin } from '../../local-aws/twin.ts';

/** The bot's settings for a test against the twin and the fake Slack: its two channels, the twin's topics, certificate and state machine. */
export function botEnv(
  twin: Pick<Twin, 'topics' | 'sns' | 'region' | 'stateMachineArn'>,
  slack: Pick<FakeSlack, 'url'>,
  signingSecret: string,
): Record<string, string> {
  return {
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_API_URL: `${slack.url}/api/`,
    MOVIES_ALERT_CHANNEL: 'C0ALERTS1',
    MOVIES_DATA_CHANNEL: 'C0DATA123',
    MOVIES_TOPIC_ARNS: `${twin.topics.success},${twin.topics.failure}`,
    MOVIES_SNS_CERTIFICATE_URL: twin.sns.certificateUrl,
    MOVIES_STATE_MACHINE_ARN: twin.stateMachineArn,
    PORT: '0',
    AWS_REGION: twin.region,
  };
}

/** The form Slack posts when someone presses "Show failed rows" (its value: a quarantine URI) on message `ts`. */
export function showFailedRowsPress(value: string, ts: string, responseUrl: string): string {
  const payload = JSON.stringify({
    type: 'block_actions',
    team: { id: 'T0TEAM001' },
    user: { id: 'U0USER001' },
    channel: { id: 'C0DATA123' },
    message: { ts },
    container: { type: 'message', message_ts: ts, channel_id: 'C0DATA123' },
    trigger_id: '1.2.3',
    response_url: responseUrl,
    actions: [{ action_id: 'show_failed_rows', block_id: 'b', type: 'button', value, action_ts: '1' }],
  });
  return new URLSearchParams({ payload }).toString();
}
