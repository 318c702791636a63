/**
 * The verifier's signing certificates: every way fetching one fails is a refusal (certificate-fetch),
 * and the cache holds one entry per certificate, a few at most, whatever URLs a flood brings; one
 * that no longer matches is fetched again (SNS rotates, a twin restarts), at most once a minute.
 */
import { describe, expect, it } from '@jest/globals';
import { createSign } from 'node:crypto';
import { SnsRejected, SnsVerifier } from '../../bot/sns-verify.ts';
import { snsStringToSign } from '../../contract/sns-signature.ts';
import { selfSignedCertificate } from '../../local-aws/certificate.ts';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:movies-pipeline-success';
const CERT = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123.pem';
const { certificatePem } = selfSignedCertificate('sns.us-east-1.amazonaws.com');

/** A message that gets as far as its certificate (its signature is not checked before). */
const unsigned = (SigningCertURL: string, MessageId = 'm-1'): string =>
  JSON.stringify({
    Type: 'Notification',
    MessageId,
    TopicArn: TOPIC,
    Message: 'x',
    Timestamp: new Date().toISOString(),
    SignatureVersion: '2',
    Signature: 'AAAA',
    SigningCertURL,
  });

const refusal = async (p: Promise<unknown>): Promise<[string, string]> => {
  const err = await p.then(
    () => new Error('accepted'),
    (e: unknown) => e as Error,
  );
  expect(err).toBeInstanceOf(SnsRejected);
  return [(err as SnsRejected).reason, err.message];
};

describe('signing certificates', () => {
  it('refuses, as certificate-fetch, a certificate that cannot be fetched or is not one', async () => {
    const failing = (fetchText: (url: string) => Promise<string>) =>
      new SnsVerifier({ region: 'us-east-1', topicArns: [TOPIC], fetchText });
    expect(
      await refusal(
        failing(async () => {
          throw new TypeError('fetch failed');
        }).authenticate(unsigned(CERT)),
      ),
    ).toEqual(['certificate-fetch', 'The signing certificate could not be fetched: fetch failed']);
    expect(await refusal(failing(async () => '<html>oops</html>').authenticate(unsigned(CERT)))).toEqual([
      'certificate-fetch',
      'The signing certificate fetched is not a certificate.',
    ]);
    // The default fetch, to a trusted URL nothing listens on.
    const dead = 'http://127.0.0.1:9/SimpleNotificationService-local.pem';
    const verifier = new SnsVerifier({
      region: 'us-east-1',
      topicArns: [TOPIC],
      trustedCertificateUrl: dead,
    });
    expect((await refusal(verifier.authenticate(unsigned(dead))))[0]).toBe('certificate-fetch');
  });

  it('refuses certificate URLs with a query or a fragment, and keeps a few certificates at most', async () => {
    const fetched: string[] = [];
    const verifier = new SnsVerifier({
      region: 'us-east-1',
      topicArns: [TOPIC],
      fetchText: async (url) => (fetched.push(url), certificatePem),
    });
    for (const url of [`${CERT}?x=1`, `${CERT}#1`, `${CERT}?`])
      expect(await refusal(verifier.authenticate(unsigned(url)))).toEqual([
        'certificate-url',
        `The signing certificate is not from SNS: ${url}`,
      ]);
    expect(fetched).toEqual([]);
    for (let i = 0; i < 40; i++)
      await refusal(verifier.authenticate(unsigned(CERT.replace('0123', String(i)), `m-${i}`)));
    expect(fetched).toHaveLength(40);
    const cached = (verifier as unknown as { certificates: Map<string, unknown> }).certificates;
    expect(cached.size).toBe(16);
    // The newest are kept.
    expect([...cached.keys()]).toEqual(
      Array.from({ length: 16 }, (_, i) => CERT.replace('0123', String(24 + i))),
    );
  });
});

describe('a certificate that changed behind its URL', () => {
  const first = selfSignedCertificate('sns.us-east-1.amazonaws.com');
  const second = selfSignedCertificate('sns.us-east-1.amazonaws.com');
  let n = 0;
  const signedWith = (key: string, tamper: Record<string, string> = {}): string => {
    const m: Record<string, string> = {
      Type: 'Notification',
      MessageId: `c-${++n}`,
      TopicArn: TOPIC,
      Message: 'x',
      Timestamp: new Date(Date.parse('2026-11-26T06:00:00Z')).toISOString(),
      SignatureVersion: '2',
      SigningCertURL: CERT,
    };
    m.Signature = createSign('RSA-SHA256').update(snsStringToSign(m)).sign(key, 'base64');
    return JSON.stringify({ ...m, ...tamper });
  };
  /** A verifier whose certificate host serves `served` (or fails), counting fetches, at a clock the test moves. */
  const setup = () => {
    const state = {
      served: first.certificatePem as string | Error,
      fetches: 0,
      now: Date.parse('2026-11-26T06:00:01Z'),
    };
    const verifier = new SnsVerifier({
      region: 'us-east-1',
      topicArns: [TOPIC],
      now: () => state.now,
      fetchText: async () => {
        state.fetches++;
        if (state.served instanceof Error) throw state.served;
        return state.served;
      },
    });
    return { state, verifier };
  };

  it('is fetched again once after a mismatch, then at most once a minute, and a forgery is still refused', async () => {
    const { state, verifier } = setup();
    await verifier.authenticate(signedWith(first.privateKeyPem));
    expect(state.fetches).toBe(1);
    // A forgery with the cached certificate: fetched again, still a mismatch, refused.
    expect(await refusal(verifier.authenticate(signedWith(first.privateKeyPem, { Message: 'f' })))).toEqual([
      'signature',
      'The signature does not match the message.',
    ]);
    expect(state.fetches).toBe(2);
    for (let i = 0; i < 10; i++)
      await refusal(verifier.authenticate(signedWith(first.privateKeyPem, { Message: `f${i}` })));
    expect(state.fetches).toBe(2);
    // Rotated within that minute: refused until a minute has passed, then accepted after one fetch.
    state.served = second.certificatePem;
    expect((await refusal(verifier.authenticate(signedWith(second.privateKeyPem))))[0]).toBe('signature');
    expect(state.fetches).toBe(2);
    state.now += 60_000;
    await verifier.authenticate(signedWith(second.privateKeyPem));
    expect(state.fetches).toBe(3);
    await verifier.authenticate(signedWith(second.privateKeyPem));
    expect(state.fetches).toBe(3);
  });

  it('is fetched again once for many messages arriving together after a rotation', async () => {
    const { state, verifier } = setup();
    await verifier.authenticate(signedWith(first.privateKeyPem));
    state.served = second.certificatePem;
    const all = await Promise.all(
      Array.from({ length: 10 }, () => verifier.authenticate(signedWith(second.privateKeyPem))),
    );
    expect(all).toHaveLength(10);
    expect(state.fetches).toBe(2);
  });

  it('keeps the certificate it has when fetching again fails, and is not fetched again for a minute', async () => {
    const { state, verifier } = setup();
    await verifier.authenticate(signedWith(first.privateKeyPem));
    state.served = new TypeError('fetch failed');
    expect(await refusal(verifier.authenticate(signedWith(first.privateKeyPem, { Message: 'f' })))).toEqual([
      'certificate-fetch',
      'The signing certificate could not be fetched: fetch failed',
    ]);
    expect(state.fetches).toBe(2);
    await verifier.authenticate(signedWith(first.privateKeyPem));
    expect((await refusal(verifier.authenticate(signedWith(first.privateKeyPem, { Message: 'g' }))))[0]).toBe(
      'signature',
    );
    expect(state.fetches).toBe(2);
  });
});
