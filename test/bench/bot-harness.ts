/**
 * What the bot's benchmarks share: `movies bot` started as deployed (its own process), a
 * response_url server that stamps each answer as it arrives, and one signed slash command timed
 * from sending to its acknowledgment and to its answer.
 */
import { spawn } from 'node:child_process';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { Twin } from '../../local-aws/twin.ts';
import { botEnv, slackSignature, type FakeSlack } from '../bot/fake-slack.ts';

export const SECRET = 'bench-signing-secret';

/** Undone in reverse order at the end of a run, however it ends. */
export type Cleanup = (() => Promise<unknown> | void)[];

export interface Answer {
  at: number;
  body: { blocks?: { type?: string; text?: { text?: string } }[] };
}

/** Nearest-rank percentile: the smallest value with at least p % of the values at or below it. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

const repo = fileURLToPath(new URL('../../', import.meta.url));

/** The bot as deployed, `movies bot` in its own process, with these settings alone; its URL and pid. */
export async function startBotProcess(
  twin: Twin,
  slack: FakeSlack,
  cleanup: Cleanup,
): Promise<{ url: string; pid: number }> {
  // Its event loop is its own, not shared with the twin or the requests; and whatever this
  // shell has set for Slack, the bot or AWS is not inherited.
  const inherited = Object.entries(process.env).filter(([k]) => !/^(SLACK|MOVIES|BOT|AWS)_|^PORT$/.test(k));
  const bot = spawn(process.execPath, [join(repo, 'bin/movies.js'), 'bot'], {
    env: {
      ...Object.fromEntries(inherited),
      ...botEnv(twin, slack, SECRET),
      AWS_ENDPOINT_URL: twin.endpoint,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  cleanup.push(async () => {
    if (bot.exitCode !== null || bot.signalCode !== null) return;
    bot.kill('SIGTERM');
    await new Promise((r) => bot.once('exit', r));
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    bot.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /bot on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    bot.once('exit', (code) => reject(new Error(`the bot exited with ${code}`)));
  });
  return { url, pid: bot.pid! };
}

/**
 * Our own response_url server rather than the fake Slack's: it stamps each POST as it arrives,
 * where polling a list of calls would add the polling interval to every answer.
 */
export async function startResponses(cleanup: Cleanup): Promise<Responses> {
  const waiting = new Map<string, (a: Answer | null) => void>();
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      const at = performance.now();
      waiting.get(req.url!)?.({ at, body: JSON.parse(text || '{}') as Answer['body'] });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(() => new Promise((r) => server.close(r)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, waiting };
}

export interface Responses {
  readonly url: string;
  readonly waiting: Map<string, (a: Answer | null) => void>;
}

/** POST a form on a connection of its own, as from many different places; resolves with status and body. */
function post(
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    // node:http rather than fetch: lighter, so the measuring adds less to what it measures.
    const length = String(Buffer.byteLength(body));
    const req = request(
      url,
      { method: 'POST', headers: { ...headers, 'content-length': length }, agent: false },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject).end(body);
  });
}

export interface Slashed {
  /** Sent → acknowledged, in ms. */
  ack: number;
  /** Sent → answered (in the acknowledgment itself, or on the response URL), in ms. */
  answer?: number;
  blocks?: Answer['body']['blocks'];
  /** Why there is no answer. */
  problem?: string;
}

/** One slash command as Slack sends it; resolves once answered (or given up on after `timeoutMs`). */
export async function slashCommand(
  botUrl: string,
  responses: Responses,
  id: string,
  text: string,
  timeoutMs: number,
): Promise<Slashed> {
  const path = `/response/${id}`;
  const answered = new Promise<Answer | null>((resolve) => {
    const timer = setTimeout(() => resolve(null), timeoutMs);
    responses.waiting.set(path, (a) => {
      clearTimeout(timer);
      resolve(a);
    });
  });
  const body = new URLSearchParams({
    command: '/movies',
    text,
    response_url: `${responses.url}${path}`,
    channel_id: 'C0DATA123',
    user_id: 'U0USER001',
    team_id: 'T0TEAM001',
    trigger_id: `1.2.${id}`,
  }).toString();
  const sent = performance.now();
  const acked = await post(`${botUrl}/slack/events`, slackSignature(SECRET, body), body).catch(
    (err: Error) => err,
  );
  const ackedAt = performance.now();
  const refused = acked instanceof Error ? acked.message : acked.status !== 200 ? `HTTP ${acked.status}` : '';
  if (refused) responses.waiting.get(path)!(null);
  // An answer ready at once comes back in the acknowledgment itself.
  else if (!(acked instanceof Error) && acked.text)
    responses.waiting.get(path)!({ at: ackedAt, body: JSON.parse(acked.text) as Answer['body'] });
  const a = await answered;
  responses.waiting.delete(path);
  const ack = ackedAt - sent;
  if (refused) return { ack, problem: `${id}: the slash command got ${refused}` };
  if (!a) return { ack, problem: `${id}: no answer within ${timeoutMs} ms` };
  return { ack, answer: a.at - sent, blocks: a.body.blocks ?? [] };
}
