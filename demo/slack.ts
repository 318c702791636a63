/**
 * Slack, stood in for on 127.0.0.1: its Web API (`/api/<method>`), response URLs and file uploads
 * answer `ok` and keep every call, so the bot runs offline — in `npm run demo` and in tests,
 * which assert on exactly what the bot sent. Point the bot at it with SLACK_API_URL=`${url}/api/`.
 */
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlackCall {
  /** Request path: `/api/chat.postMessage`, `/response/<id>`, `/upload/<file id>`. */
  readonly path: string;
  /** Form or JSON body, `blocks` parsed; for uploads, `{ bytes }`. */
  readonly body: Record<string, unknown>;
  /** When it arrived (performance.now()). */
  readonly at: number;
  /** What the stand-in answered, e.g. the `ts` of a posted message (thread replies carry it). */
  reply: Record<string, unknown>;
}

export interface LocalSlack {
  readonly url: string;
  readonly calls: SlackCall[];
  /** Web API methods that answer with an error instead, e.g. `files.completeUploadExternal` → `not_in_channel`. */
  readonly failures: Map<string, string>;
  /** Resolves with the first call on `path` (now, or when it arrives). */
  next(path: string, timeoutMs?: number): Promise<SlackCall>;
  close(): Promise<void>;
}

export async function startLocalSlack(): Promise<LocalSlack> {
  const calls: SlackCall[] = [];
  const failures = new Map<string, string>();
  const waiting = new Set<() => void>();
  let url = '';
  let files = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const path = req.url ?? '/';
      const raw = Buffer.concat(chunks);
      const body = path.startsWith('/upload/') ? { bytes: raw } : parseBody(raw, req.headers['content-type']);
      const call: SlackCall = { path, body, at: performance.now(), reply: { ok: true } };
      const failure = failures.get(path.replace(/^\/api\//, ''));
      if (failure) call.reply = { ok: false, error: failure };
      else if (path === '/api/files.getUploadURLExternal') {
        const id = `F${String(++files).padStart(8, '0')}`;
        call.reply = { ok: true, file_id: id, upload_url: `${url}/upload/${id}` };
      } else if (path === '/api/files.completeUploadExternal') {
        call.reply = { ok: true, files: JSON.parse(String(body.files ?? '[]')) as unknown };
      } else if (path.startsWith('/api/')) {
        const ts = `${Math.floor(Date.now() / 1000)}.${String(calls.length + 1).padStart(6, '0')}`;
        call.reply = { ok: true, ts, channel: body.channel };
      }
      calls.push(call);
      for (const wake of waiting) wake();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(call.reply));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    calls,
    failures,
    next(path, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const call = calls.find((c) => c.path === path);
          if (!call) return;
          cleanup();
          resolve(call);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`Nothing arrived at ${path} within ${timeoutMs} ms.`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          waiting.delete(check);
        };
        waiting.add(check);
        check();
      });
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}

function parseBody(raw: Buffer, type = ''): Record<string, unknown> {
  const text = raw.toString('utf8');
  const body = type.includes('json')
    ? (JSON.parse(text || '{}') as Record<string, unknown>)
    : Object.fromEntries(new URLSearchParams(text));
  if (typeof body.blocks === 'string') body.blocks = JSON.parse(body.blocks);
  return body;
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
