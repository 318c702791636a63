/** Slack at the edge of the machine, faked: its Web API and response URLs record every call. */
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeSlack {
  readonly url: string;
  /** Every request: its path and its body (form or JSON; `blocks` parsed). */
  readonly calls: { path: string; body: Record<string, unknown> }[];
  close(): Promise<void>;
}

export async function startFakeSlack(): Promise<FakeSlack> {
  const calls: FakeSlack['calls'] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      const body = (req.headers['content-type'] ?? '').includes('json')
        ? (JSON.parse(text || '{}') as Record<string, unknown>)
        : Object.fromEntries(new URLSearchParams(text));
      if (typeof body.blocks === 'string') body.blocks = JSON.parse(body.blocks);
      calls.push({ path: req.url!, body });
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ ok: true, ts: `${Date.now()}.000${calls.length}`, channel: body.channel }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** The headers Slack sends with a form body, signed with `secret` (the request `age` seconds old). */
export function slackSignature(secret: string, body: string, age = 0): Record<string, string> {
  const ts = String(Math.floor(Date.now() / 1000) - age);
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': ts,
    'x-slack-signature': `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`,
  };
}
