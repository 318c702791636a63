/** `/movies trends` as a picture in the channel: drawn (once per data) on demand, uploaded with files.uploadV2. */
import type { App } from '@slack/bolt';
import type { TrendsChart } from './answers.ts';
import type { DrawnCharts } from './drawn-charts.ts';

/** Posts the chart; returns null, or one sentence on why it could not be drawn or Slack would not take it. */
export async function postChart(
  client: App['client'],
  channelId: string,
  chart: TrendsChart,
  charts: DrawnCharts,
): Promise<string | null> {
  let png: Uint8Array;
  try {
    png = await charts.png(chart);
  } catch (err) {
    return `The chart could not be drawn (${(err as Error).message}).`;
  }
  try {
    await client.files.uploadV2({
      channel_id: channelId,
      file: Buffer.from(png),
      filename: 'movies-trends.png',
      title: chart.title,
      alt_text: `${chart.title}: bars of films per year, a line of the average rating`,
    });
    return null;
  } catch (err) {
    const code = (err as { data?: { error?: string } }).data?.error;
    if (code === 'not_in_channel' || code === 'channel_not_found')
      return 'The chart could not be posted here: invite the bot to this channel to get charts.';
    if (code === 'missing_scope')
      return 'The chart could not be posted: the Slack app needs the files:write scope (see the manifest).';
    return `The chart could not be posted (${code ?? (err as Error).message}).`;
  }
}
