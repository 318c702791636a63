/** Slack at the edge of the machine, faked by the local stand-in: every call is recorded. */
export {
  slackSignature,
  startLocalSlack as startFakeSlack,
  type LocalSlack as FakeSlack,
} from '../../infra/local/slack.ts';
