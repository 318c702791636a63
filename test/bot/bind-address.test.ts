/**
 * Where `movies bot` listens, as its start-up line says: on loopback unless BOT_HOST says otherwise,
 * and the line prints what it bound. 127.0.0.2 is loopback too, but a socket bound to 127.0.0.1
 * alone does not answer there: it tells "loopback only" from "every interface".
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';

let child: ChildProcess | undefined;
afterEach(async () => {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child!.once('exit', r));
  child.kill('SIGTERM');
  await exited;
});

/** Starts `movies bot` with `extra` settings; its first line of output. */
async function startCli(extra: Record<string, string>): Promise<string> {
  child = spawn(process.execPath, ['bin/movies.js', 'bot'], {
    env: {
      PATH: process.env.PATH,
      SLACK_SIGNING_SECRET: 'secret',
      SLACK_BOT_TOKEN: 'xoxb-test',
      MOVIES_ALERT_CHANNEL: 'C0ALERTS1',
      MOVIES_DATA_CHANNEL: 'C0DATA123',
      AWS_REGION: 'us-east-1',
      PORT: '0',
      ...extra,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    child!.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child!.once('exit', (code) => reject(new Error(`movies bot exited ${code}: ${err}`)));
  });
}

/** Whether something answers TCP at host:port. */
const answers = (host: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = connect(port, host, () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

const PRINTED = /^movies-gds bot on http:\/\/([\d.]+):(\d+) \(Slack: \/slack\/events, SNS: \/sns\)$/;

describe('movies bot', () => {
  it('listens on 127.0.0.1 alone by default, and says so', async () => {
    const line = await startCli({});
    const [, host, port] = PRINTED.exec(line) ?? [];
    expect([line, host]).toEqual([line, '127.0.0.1']);
    expect(await answers('127.0.0.1', Number(port))).toBe(true);
    expect(await answers('127.0.0.2', Number(port))).toBe(false);
  }, 30_000);

  it('listens on every interface when BOT_HOST says so, and says so', async () => {
    const line = await startCli({ BOT_HOST: '0.0.0.0' });
    const [, host, port] = PRINTED.exec(line) ?? [];
    expect([line, host]).toEqual([line, '0.0.0.0']);
    expect(await answers('127.0.0.2', Number(port))).toBe(true);
  }, 30_000);

  it('names a BOT_HOST that is not an address of this machine, in one sentence', async () => {
    await expect(startCli({ BOT_HOST: '192.0.2.1' })).rejects.toThrow(
      'movies bot exited 2: movies: The bot could not listen on 192.0.2.1: it is not an address of this machine; fix BOT_HOST.\n',
    );
  }, 30_000);
});
