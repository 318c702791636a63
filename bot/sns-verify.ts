/**
 * Trusting an SNS message delivered over HTTP: SignatureVersion 2 (SHA256withRSA) checked with a
 * certificate fetched only from SNS's own host for the region (or the one URL configured for the
 * local twin) and fetched again, at most once a minute, when a signature no longer matches (SNS
 * rotates it; a restarted twin makes a new one), the topic pinned to the allow-list, and (verify)
 * each MessageId accepted once (SNS delivers at least once). Subscriptions are confirmed through
 * the SNS API with the token — the message's SubscribeURL is never fetched, so a forged message
 * cannot make the bot call out.
 */
import { X509Certificate, createVerify } from 'node:crypto';
import { snsStringToSign } from '../contract/sns-signature.ts';
import { logSafe } from './log-safe.ts';
import { MessageMemory } from './message-memory.ts';

export interface SnsEnvelope {
  readonly Type: 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';
  readonly MessageId: string;
  readonly TopicArn: string;
  readonly Message: string;
  readonly Timestamp: string;
  readonly Signature: string;
  readonly SignatureVersion: string;
  readonly SigningCertURL: string;
  readonly Token?: string;
  readonly Subject?: string;
}

export interface VerifyOptions {
  readonly region: string;
  readonly topicArns: readonly string[];
  /** The local twin's certificate URL, trusted in addition to SNS's host. */
  readonly trustedCertificateUrl?: string;
  readonly fetchText?: (url: string) => Promise<string>;
  /** Messages signed longer ago than this are refused (SNS's own retries take minutes). */
  readonly maxAgeMs?: number;
  readonly now?: () => number;
}

const MAX_AGE_MS = 60 * 60 * 1000;

const REQUIRED = [
  'Type',
  'MessageId',
  'TopicArn',
  'Message',
  'Timestamp',
  'SignatureVersion',
  'Signature',
  'SigningCertURL',
] as const;
const OPTIONAL = ['Subject', 'Token', 'SubscribeURL'] as const;
/** SNS signs with one certificate per region at a time; a few cover rotations. */
const MAX_CERTIFICATES = 16;
/** How often a certificate may be fetched again after a signature mismatch. */
const REFETCH_INTERVAL_MS = 60_000;

interface Cached {
  readonly cert: Promise<X509Certificate>;
  /** When it was last fetched again after a mismatch. */
  readonly refetchedAt?: number;
}

/** Keyed by what is fetched, so variants of one URL cannot fill the cache. */
function certificateKey(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}

async function fetchCertificate(url: string): Promise<string> {
  const r = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(5000) });
  if (!r.ok)
    throw new SnsRejected(
      'certificate-fetch',
      `The signing certificate could not be fetched (HTTP ${r.status}).`,
    );
  return r.text();
}

/** Why a message was refused, for the log: an operator can see why alerts stopped. */
export type RejectionReason =
  | 'not-json'
  | 'unsigned'
  | 'field-type'
  | 'topic'
  | 'signature-version'
  | 'certificate-url'
  | 'certificate-fetch'
  | 'signature'
  | 'too-old'
  | 'too-large';

export class SnsRejected extends Error {
  constructor(
    readonly reason: RejectionReason,
    message: string,
  ) {
    super(message);
  }
}

export class SnsVerifier {
  /** By URL (as fetched), oldest first. */
  private readonly certificates = new Map<string, Cached>();
  private readonly memory = new MessageMemory();

  constructor(private readonly options: VerifyOptions) {}

  /**
   * As authenticate(), and claimed in this verifier's own memory of MessageIds: null for one
   * handled or being handled (SNS delivers at least once). Then call handled() or failed().
   */
  async verify(body: string): Promise<SnsEnvelope | null> {
    const m = await this.authenticate(body);
    return this.memory.begin(m.MessageId) ? m : null;
  }

  /** The message if it is authentic, recent and for an allowed topic; throws SnsRejected otherwise. */
  async authenticate(body: string): Promise<SnsEnvelope> {
    let m: SnsEnvelope;
    try {
      m = JSON.parse(body) as SnsEnvelope;
    } catch {
      throw new SnsRejected('not-json', 'The body is not an SNS message (not JSON).');
    }
    if (
      !m ||
      typeof m !== 'object' ||
      typeof m.Signature !== 'string' ||
      typeof m.SigningCertURL !== 'string'
    )
      throw new SnsRejected('unsigned', 'The body is not a signed SNS message.');
    // The string to sign takes String(value): ["id"] would verify as "id" and slip past the
    // memory (or route as its Type), so every field must be the string SNS sends.
    const wrong = [...REQUIRED, ...OPTIONAL.filter((f) => f in m)].find(
      (f) => typeof (m as unknown as Record<string, unknown>)[f] !== 'string',
    );
    if (wrong) throw new SnsRejected('field-type', `The message's ${wrong} is not a string.`);
    if (!this.options.topicArns.includes(m.TopicArn))
      throw new SnsRejected('topic', `Messages from ${logSafe(m.TopicArn)} are not accepted.`);
    if (m.SignatureVersion !== '2')
      throw new SnsRejected('signature-version', 'Only SignatureVersion 2 (SHA256) is accepted.');
    const signed = snsStringToSign(m as unknown as Record<string, unknown>);
    const matches = (cert: X509Certificate): boolean =>
      createVerify('RSA-SHA256').update(signed).verify(cert.publicKey, m.Signature, 'base64');
    const { cached, fresh } = await this.certificate(m.SigningCertURL);
    if (!matches(await cached.cert)) {
      // A mismatch with a certificate fetched earlier may be a rotation: one more try, with the
      // certificate the URL serves now. A second mismatch is the refusal.
      const newer = fresh ? null : await this.refetched(m.SigningCertURL, cached);
      if (!newer || !matches(newer))
        throw new SnsRejected('signature', 'The signature does not match the message.');
    }
    // Signed, so the time is SNS's: an old message is a replay, whatever this process remembers.
    const age = (this.options.now ?? Date.now)() - Date.parse(m.Timestamp);
    if (!(age < (this.options.maxAgeMs ?? MAX_AGE_MS)))
      throw new SnsRejected(
        'too-old',
        `The message is too old to accept (signed at ${logSafe(m.Timestamp)}).`,
      );
    return m;
  }

  /** The message was handled: a redelivery of it is ignored from now on. */
  handled(messageId: string): void {
    this.memory.handled(messageId);
  }

  /** Handling it failed: SNS's retry of it must get through. */
  failed(messageId: string): void {
    this.memory.failed(messageId);
  }

  /** The certificate at `url`, and whether this call fetched it (then fetching again cannot help). */
  private async certificate(url: string): Promise<{ cached: Cached; fresh: boolean }> {
    if (!this.trusted(url))
      throw new SnsRejected('certificate-url', `The signing certificate is not from SNS: ${logSafe(url)}`);
    const key = certificateKey(url);
    let cached = this.certificates.get(key);
    const fresh = !cached;
    if (!cached) cached = this.fetch(url, key, undefined);
    await cached.cert;
    return { cached, fresh };
  }

  /**
   * After a mismatch with `used`: the certificate behind the URL may have changed (SNS rotates it;
   * a restarted twin makes a new one). Another request's refetch is shared; otherwise fetched again
   * at most once a minute per URL, so forged messages cannot make the bot fetch per request. Null
   * when there is nothing newer to try.
   */
  private async refetched(url: string, used: Cached): Promise<X509Certificate | null> {
    const key = certificateKey(url);
    const current = this.certificates.get(key);
    if (current && current !== used) return current.cert;
    const now = (this.options.now ?? Date.now)();
    if (used.refetchedAt !== undefined && now - used.refetchedAt < REFETCH_INTERVAL_MS) return null;
    return this.fetch(url, key, used, now).cert;
  }

  /**
   * Fetches the certificate into the cache, in place of `previous` if given. A failed fetch is not
   * kept: the previous certificate comes back (with the time of this try), or the URL is forgotten.
   */
  private fetch(url: string, key: string, previous: Cached | undefined, at?: number): Cached {
    const fetchText = this.options.fetchText ?? fetchCertificate;
    // Any failure is a refusal like the others (logged at most once a minute), not an error per message.
    const cert = fetchText(url).then(
      (pem) => {
        try {
          return new X509Certificate(pem);
        } catch {
          throw new SnsRejected('certificate-fetch', 'The signing certificate fetched is not a certificate.');
        }
      },
      (err: unknown) => {
        if (err instanceof SnsRejected) throw err;
        throw new SnsRejected(
          'certificate-fetch',
          `The signing certificate could not be fetched: ${logSafe((err as Error).message)}`,
        );
      },
    );
    const cached: Cached = { cert, ...(at !== undefined ? { refetchedAt: at } : {}) };
    cert.catch(() => {
      if (this.certificates.get(key) !== cached) return;
      if (previous) this.certificates.set(key, { cert: previous.cert, refetchedAt: at! });
      else this.certificates.delete(key);
    });
    this.certificates.delete(key);
    this.certificates.set(key, cached);
    if (this.certificates.size > MAX_CERTIFICATES)
      this.certificates.delete(this.certificates.keys().next().value!);
    return cached;
  }

  private trusted(url: string): boolean {
    if (this.options.trustedCertificateUrl && url === this.options.trustedCertificateUrl) return true;
    try {
      const u = new URL(url);
      return (
        u.protocol === 'https:' &&
        u.hostname === `sns.${this.options.region}.amazonaws.com` &&
        !u.port &&
        !u.username &&
        !u.password &&
        // A query or fragment changes nothing SNS's host serves: refused, so one URL is one certificate.
        !url.includes('?') &&
        !url.includes('#') &&
        u.pathname.endsWith('.pem')
      );
    } catch {
      return false;
    }
  }
}
