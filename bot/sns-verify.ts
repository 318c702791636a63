/**
 * Trusting an SNS message delivered over HTTP: SignatureVersion 2 (SHA256withRSA) checked with a
 * certificate fetched only from SNS's own host for the region (or the one URL configured for the
 * local twin), the topic pinned to the allow-list, and each MessageId accepted once (SNS delivers
 * at least once). Subscriptions are confirmed through the SNS API with the token — the message's
 * SubscribeURL is never fetched, so a forged message cannot make the bot call out.
 */
import { X509Certificate, createVerify } from 'node:crypto';
import { snsStringToSign } from '../contract/sns-signature.ts';

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

export class SnsRejected extends Error {}

export class SnsVerifier {
  private readonly certificates = new Map<string, Promise<X509Certificate>>();
  private readonly seen = new Set<string>();
  /** Being handled now: SNS may redeliver before the first delivery is done. */
  private readonly inProgress = new Set<string>();

  constructor(private readonly options: VerifyOptions) {}

  /**
   * The message if it is authentic, recent, for an allowed topic and neither handled nor being
   * handled; throws SnsRejected otherwise. Returns null for one handled or being handled (SNS
   * delivers at least once). Then call handled() or failed().
   */
  async verify(body: string): Promise<SnsEnvelope | null> {
    let m: SnsEnvelope;
    try {
      m = JSON.parse(body) as SnsEnvelope;
    } catch {
      throw new SnsRejected('The body is not an SNS message (not JSON).');
    }
    if (
      !m ||
      typeof m !== 'object' ||
      typeof m.Signature !== 'string' ||
      typeof m.SigningCertURL !== 'string'
    )
      throw new SnsRejected('The body is not a signed SNS message.');
    if (!this.options.topicArns.includes(m.TopicArn))
      throw new SnsRejected(`Messages from ${String(m.TopicArn)} are not accepted.`);
    if (m.SignatureVersion !== '2') throw new SnsRejected('Only SignatureVersion 2 (SHA256) is accepted.');
    const cert = await this.certificate(m.SigningCertURL);
    const ok = createVerify('RSA-SHA256')
      .update(snsStringToSign(m as unknown as Record<string, unknown>))
      .verify(cert.publicKey, m.Signature, 'base64');
    if (!ok) throw new SnsRejected('The signature does not match the message.');
    // Signed, so the time is SNS's: an old message is a replay, whatever this process remembers.
    const age = (this.options.now ?? Date.now)() - Date.parse(m.Timestamp);
    if (!(age < (this.options.maxAgeMs ?? MAX_AGE_MS)))
      throw new SnsRejected(`The message is too old to accept (signed at ${String(m.Timestamp)}).`);
    if (this.seen.has(m.MessageId) || this.inProgress.has(m.MessageId)) return null;
    this.inProgress.add(m.MessageId);
    return m;
  }

  /** The message was handled: a redelivery of it is ignored from now on. */
  handled(messageId: string): void {
    this.inProgress.delete(messageId);
    this.seen.add(messageId);
    if (this.seen.size > 10_000) this.seen.delete(this.seen.values().next().value!);
  }

  /** Handling it failed: SNS's retry of it must get through. */
  failed(messageId: string): void {
    this.inProgress.delete(messageId);
  }

  private certificate(url: string): Promise<X509Certificate> {
    if (!this.trusted(url))
      return Promise.reject(new SnsRejected(`The signing certificate is not from SNS: ${url}`));
    let cert = this.certificates.get(url);
    if (!cert) {
      const fetchText =
        this.options.fetchText ??
        (async (u: string) => {
          const r = await fetch(u, { redirect: 'error', signal: AbortSignal.timeout(5000) });
          if (!r.ok)
            throw new SnsRejected(`The signing certificate could not be fetched (HTTP ${r.status}).`);
          return r.text();
        });
      cert = fetchText(url).then((pem) => new X509Certificate(pem));
      cert.catch(() => this.certificates.delete(url));
      this.certificates.set(url, cert);
    }
    return cert;
  }

  private trusted(url: string): boolean {
    if (this.options.trustedCertificateUrl && url === this.options.trustedCertificateUrl) return true;
    try {
      const u = new URL(url);
      return (
        u.protocol === 'https:' &&
        u.hostname === `sns.${this.options.region}.amazonaws.com` &&
        !u.port &&
        u.pathname.endsWith('.pem')
      );
    } catch {
      return false;
    }
  }
}
