/** The "Show failed rows" button on an alert: the first quarantined rows, in the alert's thread. */
import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CsvReader } from '../../../infra/pipeline/csv.ts';
import { section, table } from '../../blocks.ts';
import type { BotConfig } from '../../config.ts';
import { slackEscape } from '../../slack-text.ts';
import type { Row } from '../../warehouse.ts';

const SAMPLE_BYTES = 64 * 1024;
const SAMPLE_ROWS = 10;

export function showFailedRows(config: BotConfig, s3: S3Client) {
  return async ({
    ack,
    body,
    action,
    client,
  }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs): Promise<void> => {
    await ack();
    const channel = body.channel?.id;
    const thread = body.message?.ts;
    if (!channel || !thread) return;
    const say = (blocks: ReturnType<typeof section>[], text: string) =>
      client.chat.postMessage({ channel, thread_ts: thread, text, blocks, unfurl_links: false });
    // Only quarantine objects of our own bucket: the button's value came back from Slack.
    const prefix = `s3://${config.bucket}/bad_data/`;
    if (!action.value?.startsWith(prefix)) {
      await say([section("That quarantine is not in the pipeline's bucket.")], 'Not available');
      return;
    }
    const key = action.value.slice(`s3://${config.bucket}/`.length);
    let rows: Row[];
    try {
      rows = await sampleRows(s3, config.bucket, key);
    } catch (err) {
      await say(
        [section(`The quarantined rows could not be read: ${slackEscape((err as Error).message)}`)],
        'Not available',
      );
      return;
    }
    const columns = Object.keys(rows[0] ?? {}).filter((c) =>
      [
        'source_line',
        'Series_Title',
        'title',
        'Released_Year',
        'release_year',
        'ContractViolations',
        'DataQualityRulesFail',
      ].includes(c),
    );
    await say(
      table(
        `First ${rows.length} quarantined rows`,
        rows,
        columns.length ? columns : Object.keys(rows[0] ?? {}).slice(0, 4),
      ),
      'Failed rows',
    );
  };
}

/** The first rows of a quarantine CSV (a range read: never the whole object). */
async function sampleRows(s3: S3Client, bucket: string, key: string): Promise<Row[]> {
  const r = await s3.send(
    new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=0-${SAMPLE_BYTES - 1}` }),
  );
  const bytes = Buffer.from(await r.Body!.transformToByteArray());
  const rows: Row[] = [];
  let header: string[] | null = null;
  const reader = new CsvReader((rec) => {
    const fields = Array.from({ length: rec.count }, (_, i) => rec.field(i));
    if (!header) header = fields;
    else if (rows.length < SAMPLE_ROWS)
      rows.push(Object.fromEntries(header.map((h, i) => [h, fields[i] ?? null])));
  });
  reader.push(bytes);
  // The range may end inside a record: what was read completely is enough.
  return rows;
}
