/**
 * The string an SNS message's signature covers (AWS's documented canonical form): the message's
 * fields, in this order, as "Name\nvalue\n" pairs. The twin signs it; the bot verifies it.
 */
export function snsStringToSign(m: Readonly<Record<string, unknown>>): string {
  const fields =
    m.Type === 'Notification'
      ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  return fields
    .filter((f) => m[f] !== undefined)
    .map((f) => `${f}\n${String(m[f])}\n`)
    .join('');
}
