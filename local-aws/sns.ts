/**
 * SNS for the twin: the pipeline's topics; Publish (from the state machine or any SDK client),
 * ListTopics, Subscribe for HTTP(S) endpoints with a real SubscriptionConfirmation round trip,
 * ConfirmSubscription, Unsubscribe, ListSubscriptionsByTopic — over both of SNS's wire protocols
 * (query/XML and JSON). Messages are signed like AWS's (SignatureVersion 2, SHA256withRSA) with a
 * local key whose certificate the twin serves at SigningCertURL. Every message is also appended
 * to a JSON-lines file per topic in the data directory.
 */
import { createSign, randomBytes, randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { snsStringToSign } from '../contract/sns-signature.ts';
import { selfSignedCertificate, type SigningIdentity } from './certificate.ts';
import { ApiError, xmlEscape } from './http.ts';

export interface SnsMessage {
  readonly MessageId: string;
  readonly TopicArn: string;
  readonly Subject?: string;
  readonly Message: string;
  readonly MessageAttributes: Readonly<Record<string, { Type: string; Value: string }>>;
  readonly Timestamp: string;
}

interface Subscription {
  SubscriptionArn: string;
  TopicArn: string;
  Protocol: 'http' | 'https';
  Endpoint: string;
  Token: string;
  confirmed: boolean;
}

/** Where the twin serves its signing certificate. */
export const CERTIFICATE_PATH = '/SimpleNotificationService-local.pem';

export class Sns {
  private subscriptions: Subscription[];
  private readonly identity: SigningIdentity;
  private endpoint = 'http://127.0.0.1';
  /** Deliveries in flight, so tests and shutdown can wait for them. */
  private readonly deliveries = new Set<Promise<void>>();

  constructor(
    private readonly dir: string,
    readonly topicArns: readonly string[],
    region: string,
  ) {
    mkdirSync(dir, { recursive: true });
    const identityFile = join(dir, 'signing-identity.json');
    if (existsSync(identityFile))
      this.identity = JSON.parse(readFileSync(identityFile, 'utf8')) as SigningIdentity;
    else {
      this.identity = selfSignedCertificate(`sns.${region}.amazonaws.com`);
      writeFileSync(identityFile, JSON.stringify(this.identity), { mode: 0o600 });
    }
    const subsFile = join(dir, 'subscriptions.json');
    this.subscriptions = existsSync(subsFile)
      ? (JSON.parse(readFileSync(subsFile, 'utf8')) as Subscription[])
      : [];
  }

  /** The certificate subscribers verify message signatures with. */
  get certificatePem(): string {
    return this.identity.certificatePem;
  }

  get certificateUrl(): string {
    return `${this.endpoint}${CERTIFICATE_PATH}`;
  }

  /** The twin's public endpoint, for SubscribeURL, UnsubscribeURL and SigningCertURL. */
  setEndpoint(endpoint: string): void {
    this.endpoint = endpoint;
  }

  publish(
    topicArn: string,
    message: string,
    attributes: SnsMessage['MessageAttributes'] = {},
    subject?: string,
  ): SnsMessage {
    this.checkTopic(topicArn);
    if (Buffer.byteLength(message) > 256 * 1024)
      throw new ApiError(400, 'InvalidParameter', 'Invalid parameter: Message too long');
    const m: SnsMessage = {
      MessageId: randomUUID(),
      TopicArn: topicArn,
      ...(subject ? { Subject: subject } : {}),
      Message: message,
      MessageAttributes: attributes,
      Timestamp: new Date().toISOString(),
    };
    appendFileSync(this.file(topicArn), `${JSON.stringify(m)}\n`);
    for (const s of this.subscriptions.filter((x) => x.TopicArn === topicArn && x.confirmed))
      this.deliver(s, 'Notification', {
        MessageId: m.MessageId,
        TopicArn: topicArn,
        ...(subject ? { Subject: subject } : {}),
        Message: message,
        Timestamp: m.Timestamp,
        UnsubscribeURL: `${this.endpoint}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(s.SubscriptionArn)}`,
        ...(Object.keys(attributes).length ? { MessageAttributes: attributes } : {}),
      });
    return m;
  }

  /** Messages published to a topic so far (persisted across restarts). */
  messages(topicArn: string): SnsMessage[] {
    const file = this.file(topicArn);
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as SnsMessage);
  }

  /** Resolves when every delivery started so far has finished (or given up). */
  async flush(): Promise<void> {
    while (this.deliveries.size) await Promise.all([...this.deliveries]);
  }

  /** One operation, whichever wire protocol it came in on. */
  call(operation: string, input: Record<string, unknown>): Record<string, unknown> {
    switch (operation) {
      case 'ListTopics':
        return { Topics: this.topicArns.map((TopicArn) => ({ TopicArn })) };
      case 'Publish': {
        const m = this.publish(
          String(input.TopicArn ?? ''),
          String(input.Message ?? ''),
          (input.MessageAttributes ?? {}) as SnsMessage['MessageAttributes'],
          input.Subject ? String(input.Subject) : undefined,
        );
        return { MessageId: m.MessageId };
      }
      case 'Subscribe':
        return {
          SubscriptionArn: this.subscribe(
            String(input.TopicArn ?? ''),
            String(input.Protocol ?? ''),
            String(input.Endpoint ?? ''),
          ),
        };
      case 'ConfirmSubscription': {
        const s = this.subscriptions.find((x) => x.TopicArn === input.TopicArn && x.Token === input.Token);
        if (!s) throw new ApiError(400, 'InvalidParameter', 'Invalid token');
        s.confirmed = true;
        this.saveSubscriptions();
        return { SubscriptionArn: s.SubscriptionArn };
      }
      case 'Unsubscribe': {
        const i = this.subscriptions.findIndex((x) => x.SubscriptionArn === input.SubscriptionArn);
        if (i >= 0) this.subscriptions.splice(i, 1);
        this.saveSubscriptions();
        return {};
      }
      case 'ListSubscriptionsByTopic':
        this.checkTopic(String(input.TopicArn ?? ''));
        return {
          Subscriptions: this.subscriptions
            .filter((s) => s.TopicArn === input.TopicArn)
            .map((s) => ({
              SubscriptionArn: s.confirmed ? s.SubscriptionArn : 'PendingConfirmation',
              TopicArn: s.TopicArn,
              Protocol: s.Protocol,
              Endpoint: s.Endpoint,
              Owner: '000000000000',
            })),
        };
      default:
        throw new ApiError(400, 'InvalidAction', `SNS ${operation} is not supported by the local twin.`);
    }
  }

  /** The query protocol: form fields (or a URL's query) in, XML out. */
  handleQuery(form: URLSearchParams): string {
    const action = form.get('Action') ?? '';
    const input: Record<string, unknown> = Object.fromEntries(form.entries());
    if (action === 'Publish') {
      const attributes: Record<string, { Type: string; Value: string }> = {};
      for (let i = 1; form.has(`MessageAttributes.entry.${i}.Name`); i++)
        attributes[form.get(`MessageAttributes.entry.${i}.Name`)!] = {
          Type: form.get(`MessageAttributes.entry.${i}.Value.DataType`) ?? 'String',
          Value: form.get(`MessageAttributes.entry.${i}.Value.StringValue`) ?? '',
        };
      input.MessageAttributes = attributes;
    }
    const result = this.call(action, input);
    return `<${action}Response xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><${action}Result>${toXml(result)}</${action}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`;
  }

  /** The JSON protocol (X-Amz-Target: AmazonSimpleNotificationService.<Op>). */
  handleJson(operation: string, input: Record<string, unknown>): unknown {
    if (operation === 'Publish' && input.MessageAttributes) {
      const attrs = input.MessageAttributes as Record<string, { DataType: string; StringValue?: string }>;
      input = {
        ...input,
        MessageAttributes: Object.fromEntries(
          Object.entries(attrs).map(([k, v]) => [k, { Type: v.DataType, Value: v.StringValue ?? '' }]),
        ),
      };
    }
    return this.call(operation, input);
  }

  private subscribe(topicArn: string, protocol: string, endpoint: string): string {
    this.checkTopic(topicArn);
    if (protocol !== 'http' && protocol !== 'https')
      throw new ApiError(
        400,
        'InvalidParameter',
        `Invalid parameter: the local twin delivers to http and https endpoints, not ${protocol}`,
      );
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new ApiError(400, 'InvalidParameter', 'Invalid parameter: Endpoint must be a URL');
    }
    if (url.protocol !== `${protocol}:`)
      throw new ApiError(400, 'InvalidParameter', `Invalid parameter: Endpoint must be an ${protocol} URL`);
    let s = this.subscriptions.find((x) => x.TopicArn === topicArn && x.Endpoint === endpoint);
    if (!s) {
      s = {
        SubscriptionArn: `${topicArn}:${randomUUID()}`,
        TopicArn: topicArn,
        Protocol: protocol,
        Endpoint: endpoint,
        Token: randomBytes(32).toString('hex'),
        confirmed: false,
      };
      this.subscriptions.push(s);
      this.saveSubscriptions();
    }
    if (!s.confirmed)
      this.deliver(s, 'SubscriptionConfirmation', {
        MessageId: randomUUID(),
        Token: s.Token,
        TopicArn: topicArn,
        Message: `You have chosen to subscribe to the topic ${topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
        SubscribeURL: `${this.endpoint}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(topicArn)}&Token=${s.Token}`,
        Timestamp: new Date().toISOString(),
      });
    return s.confirmed ? s.SubscriptionArn : 'pending confirmation';
  }

  /** POST a signed message to a subscriber, retrying a few times as SNS does. */
  private deliver(
    s: Subscription,
    type: 'Notification' | 'SubscriptionConfirmation',
    fields: Record<string, unknown>,
  ): void {
    const body: Record<string, unknown> = {
      Type: type,
      ...fields,
      SignatureVersion: '2',
      SigningCertURL: this.certificateUrl,
    };
    body.Signature = createSign('RSA-SHA256')
      .update(snsStringToSign(body))
      .sign(this.identity.privateKeyPem, 'base64');
    const headers = {
      'content-type': 'text/plain; charset=UTF-8',
      'x-amz-sns-message-type': type,
      'x-amz-sns-message-id': String(body.MessageId),
      'x-amz-sns-topic-arn': s.TopicArn,
      ...(type === 'Notification' ? { 'x-amz-sns-subscription-arn': s.SubscriptionArn } : {}),
      'user-agent': 'Amazon Simple Notification Service Agent',
    };
    const attempt = async (): Promise<void> => {
      for (let tries = 0; tries < 3; tries++) {
        try {
          const r = await fetch(s.Endpoint, {
            method: 'POST',
            headers,
            body: JSON.stringify(body),
            signal: AbortSignal.timeout(15_000),
          });
          if (r.status < 500) return;
        } catch {
          // unreachable endpoint: retry, then give up (as SNS does after its retry policy)
        }
        await new Promise((res) => setTimeout(res, 100 * 2 ** tries));
      }
    };
    const p = attempt().finally(() => this.deliveries.delete(p));
    this.deliveries.add(p);
  }

  /**
   * The bot `movies local --bot` runs is now subscribed at `endpoint`: the subscriptions an
   * earlier run made on another port go, or every alert would also go to that port, now maybe
   * someone else's. Only loopback `/sns` endpoints are the twin's own bot's.
   */
  retireEarlierLocalBots(endpoint: string): void {
    const earlier = (s: Subscription): boolean => {
      if (s.Endpoint === endpoint) return false;
      try {
        const url = new URL(s.Endpoint);
        return ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) && url.pathname === '/sns';
      } catch {
        return false;
      }
    };
    if (!this.subscriptions.some(earlier)) return;
    this.subscriptions = this.subscriptions.filter((s) => !earlier(s));
    this.saveSubscriptions();
  }

  private checkTopic(topicArn: string): void {
    if (!this.topicArns.includes(topicArn))
      throw new ApiError(404, 'NotFound', `Topic does not exist: ${topicArn}`);
  }

  private saveSubscriptions(): void {
    writeFileSync(join(this.dir, 'subscriptions.json'), JSON.stringify(this.subscriptions, null, 2));
  }

  private file(topicArn: string): string {
    return join(this.dir, `${topicArn.split(':').at(-1)}.jsonl`);
  }
}

function toXml(value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => `<member>${toXml(v)}</member>`).join('');
  if (value && typeof value === 'object')
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `<${k}>${toXml(v)}</${k}>`)
      .join('');
  return xmlEscape(String(value ?? ''));
}
