import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { withDefaults, withTwinDefaults } from '../../cli/twin-defaults.ts';
import { movies } from './run-cli.ts';

const saved = { ...process.env };
let busy: Server;
let busyPort: number;

beforeAll(async () => {
  busy = createServer();
  // On every interface, as the bot listens.
  await new Promise<void>((r) => busy.listen(0, r));
  busyPort = (busy.address() as AddressInfo).port;
  Object.assign(process.env, {
    SLACK_SIGNING_SECRET: 'secret',
    SLACK_BOT_TOKEN: 'xoxb-test',
    MOVIES_ALERT_CHANNEL: 'C0ALERTS1',
    MOVIES_DATA_CHANNEL: 'C0DATA123',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
});
afterAll(async () => {
  process.env = saved;
  await new Promise((r) => busy.close(r));
});

describe('movies bot', () => {
  it('says in one sentence that its port is taken, and exits 2', async () => {
    process.env.PORT = String(busyPort);
    expect(await movies('bot')).toEqual({
      code: 2,
      stdout: '',
      stderr: `movies: Port ${busyPort} is already in use; stop what uses it or pick another with PORT.\n`,
    });
  });

  it('says in one sentence that it could not subscribe to the topics, and exits 2', async () => {
    Object.assign(process.env, {
      PORT: '0',
      BOT_PUBLIC_URL: 'https://bot.example.com',
      // Nothing listens here once the server is closed.
      AWS_ENDPOINT_URL: await closedUrl(),
    });
    const r = await movies('bot');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^movies: The bot could not subscribe to arn:aws:sns:us-east-1:\d+:movies-pipeline-success: Nothing answers at the endpoint \(connect ECONNREFUSED [\d.:]+\); is the local twin running\?\n$/,
    );
  }, 30_000);
});

describe("the twin's names as defaults", () => {
  it('fills only what the environment leaves unset or blank, in its region', () => {
    expect(withDefaults({ A: 'set', B: ' ' }, { A: 'a', B: 'b', C: 'c' })).toEqual({
      A: 'set',
      B: 'b',
      C: 'c',
    });
    expect(withTwinDefaults({ AWS_DEFAULT_REGION: 'eu-west-1', MOVIES_STATE_MACHINE_ARN: 'mine' })).toEqual({
      AWS_DEFAULT_REGION: 'eu-west-1',
      AWS_REGION: 'eu-west-1',
      MOVIES_STATE_MACHINE_ARN: 'mine',
      MOVIES_TOPIC_ARNS:
        'arn:aws:sns:eu-west-1:000000000000:movies-pipeline-success,arn:aws:sns:eu-west-1:000000000000:movies-pipeline-failure',
    });
    expect(withTwinDefaults({}).MOVIES_STATE_MACHINE_ARN).toBe(
      'arn:aws:states:us-east-1:000000000000:stateMachine:movies-pipeline',
    );
  });
});

async function closedUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return `http://127.0.0.1:${port}`;
}
