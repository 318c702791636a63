/** Small helpers shared by the twin's AWS-compatible endpoints. */
import type { IncomingMessage, ServerResponse } from 'node:http';

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function xmlEscape(text: string): string {
  return text.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!,
  );
}

export function sendXml(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  const text = `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
  res.writeHead(status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** The JSON protocols' error shape: __type plus message. */
export function sendJsonError(
  res: ServerResponse,
  status: number,
  type: string,
  message: string,
  contentType: string,
): void {
  const text = JSON.stringify({ __type: type, message });
  res.writeHead(status, {
    'content-type': contentType,
    'x-amzn-errortype': type,
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendJson(res: ServerResponse, body: unknown, contentType: string): void {
  const text = JSON.stringify(body);
  res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** An error an API handler throws to answer the client with AWS's error code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Offset paging behind an opaque token, as the JSON APIs page lists. */
export function page<T>(
  items: readonly T[],
  maxResults: unknown,
  token: unknown,
  limit: number,
): { items: T[]; next?: string } {
  const size = Math.min(Number(maxResults) || limit, limit);
  const start = token ? Number(Buffer.from(String(token), 'base64url').toString()) : 0;
  return {
    items: items.slice(start, start + size),
    ...(start + size < items.length ? { next: Buffer.from(String(start + size)).toString('base64url') } : {}),
  };
}
