/** Small helpers shared by the twin's AWS-compatible endpoints. */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The body, whole; past `limit` bytes the rest is discarded and the request answered 413. */
export async function readBody(req: IncomingMessage, limit = Infinity): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.resume();
      throw new ApiError(
        413,
        'RequestEntityTooLarge',
        `The request body is larger than ${limit} bytes, more than this API takes.`,
      );
    }
    chunks.push(chunk as Buffer);
  }
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

/**
 * A JSON-protocol request's input (awsJson 1.0 and 1.1: Step Functions, Redshift Data, SNS over
 * JSON). An empty body is `{}`, as for an operation without input; anything that is not a JSON
 * object is the client's fault, which AWS answers with 400 SerializationException (a 500 would
 * have the SDKs retry it).
 */
export function jsonInput(body: Buffer): Record<string, unknown> {
  const text = body.toString('utf8');
  if (!text.trim()) return {};
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (err) {
    throw new ApiError(
      400,
      'SerializationException',
      `The request body is not valid JSON: ${(err as Error).message}`,
    );
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input))
    throw new ApiError(400, 'SerializationException', 'The request body must be a JSON object.');
  return input as Record<string, unknown>;
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
