/**
 * SNS for the twin: the pipeline's topics, Publish (from the state machine or any SDK client)
 * and ListTopics, over both of SNS's wire protocols (query/XML and JSON). Every message is
 * appended to a JSON-lines file per topic in the data directory, and handed to listeners.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError, xmlEscape } from './http.ts';

export interface SnsMessage {
  readonly MessageId: string;
  readonly TopicArn: string;
  readonly Subject?: string;
  readonly Message: string;
  readonly MessageAttributes: Readonly<Record<string, { Type: string; Value: string }>>;
  readonly Timestamp: string;
}

export class Sns {
  private readonly listeners: ((m: SnsMessage) => void)[] = [];

  constructor(
    private readonly dir: string,
    readonly topicArns: readonly string[],
  ) {
    mkdirSync(dir, { recursive: true });
  }

  publish(
    topicArn: string,
    message: string,
    attributes: SnsMessage['MessageAttributes'] = {},
    subject?: string,
  ): SnsMessage {
    if (!this.topicArns.includes(topicArn))
      throw new ApiError(404, 'NotFound', `Topic does not exist: ${topicArn}`);
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
    for (const l of this.listeners) l(m);
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

  onMessage(listener: (m: SnsMessage) => void): void {
    this.listeners.push(listener);
  }

  /** The query protocol (form-encoded Action=..., XML answers). */
  handleQuery(form: URLSearchParams): string {
    const action = form.get('Action');
    if (action === 'ListTopics')
      return `<ListTopicsResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><ListTopicsResult><Topics>${this.topicArns
        .map((t) => `<member><TopicArn>${xmlEscape(t)}</TopicArn></member>`)
        .join(
          '',
        )}</Topics></ListTopicsResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></ListTopicsResponse>`;
    if (action === 'Publish') {
      const attributes: Record<string, { Type: string; Value: string }> = {};
      for (let i = 1; form.has(`MessageAttributes.entry.${i}.Name`); i++)
        attributes[form.get(`MessageAttributes.entry.${i}.Name`)!] = {
          Type: form.get(`MessageAttributes.entry.${i}.Value.DataType`) ?? 'String',
          Value: form.get(`MessageAttributes.entry.${i}.Value.StringValue`) ?? '',
        };
      const m = this.publish(
        form.get('TopicArn') ?? '',
        form.get('Message') ?? '',
        attributes,
        form.get('Subject') ?? undefined,
      );
      return `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${m.MessageId}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`;
    }
    throw new ApiError(
      400,
      'InvalidAction',
      `SNS ${action ?? '(no Action)'} is not supported by the local twin.`,
    );
  }

  /** The JSON protocol (X-Amz-Target: AmazonSimpleNotificationService.<Op>). */
  handleJson(operation: string, input: Record<string, unknown>): unknown {
    if (operation === 'ListTopics') return { Topics: this.topicArns.map((TopicArn) => ({ TopicArn })) };
    if (operation === 'Publish') {
      const attrs = (input.MessageAttributes ?? {}) as Record<
        string,
        { DataType: string; StringValue?: string }
      >;
      const m = this.publish(
        String(input.TopicArn ?? ''),
        String(input.Message ?? ''),
        Object.fromEntries(
          Object.entries(attrs).map(([k, v]) => [k, { Type: v.DataType, Value: v.StringValue ?? '' }]),
        ),
        input.Subject ? String(input.Subject) : undefined,
      );
      return { MessageId: m.MessageId };
    }
    throw new ApiError(400, 'InvalidAction', `SNS ${operation} is not supported by the local twin.`);
  }

  private file(topicArn: string): string {
    return join(this.dir, `${topicArn.split(':').at(-1)}.jsonl`);
  }
}
