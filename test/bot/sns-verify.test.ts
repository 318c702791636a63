/**
 * The verifier's signing certificates: every way fetching one fails is a refusal (certificate-fetch),
 * and the cache holds one entry per certificate, a few at most, whatever URLs a flood brings.
 */
import { describe, expect, it } from '@jest/globals';
import { SnsRejected, SnsVerifier } from '../../bot/sns-verify.ts';
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
    // The newest are kept: fetched again, the latest is not.
    await refusal(verifier.authenticate(unsigned(CERT.replace('0123', '39'))));
    expect(fetched).toHaveLength(40);
  });
});
