/**
 * `movies query <top-rated|genres|genre|trends|status> [...]`: the `/movies` answers in a terminal,
 * from the same cores the Slack bot uses. AWS_ENDPOINT_URL reaches the local twin.
 */
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { SFNClient } from '@aws-sdk/client-sfn';
import { writeFileSync } from 'node:fs';
import { AnswerCache } from '../../bot/answer-cache.ts';
import { answerFor, type Answer } from '../../bot/answers.ts';
import { ConfigError, readWarehouseConfig } from '../../bot/config.ts';
import { tableLines } from '../../bot/blocks.ts';
import { blocksAsText } from '../../bot/plain-text.ts';
import { QueryError } from '../../bot/warehouse.ts';
import { describeAwsError } from '../../contract/aws-error.ts';
import { inert } from '../../contract/inert-text.ts';
import { EXIT } from '../exit-codes.ts';
import type { Io } from '../io.ts';
import { withTwinDefaults } from '../twin-defaults.ts';

export async function query(
  words: readonly string[],
  options: { chart?: string | undefined },
  io: Io,
): Promise<number> {
  let config;
  try {
    config = readWarehouseConfig(withTwinDefaults(process.env));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.stderr.write(`movies: ${err.message}\n`);
    return 2;
  }
  const aws = { region: config.region };
  try {
    const answer = await answerFor(words.join(' '), {
      config,
      redshift: new RedshiftDataClient(aws),
      sfn: new SFNClient(aws),
      cache: new AnswerCache<Answer>(0),
    });
    // A table whole, as a terminal has room for; anything else as Slack would show it, as text.
    const shown = answer.table?.rows.length
      ? [answer.table.title, ...tableLines(answer.table.rows, answer.table.columns)].join('\n')
      : blocksAsText(answer.blocks);
    // Line by line through inert(): data may be printed in a CI log, where a line can be a command.
    const text = `${shown
      .replace(/\/movies /g, 'movies query ')
      .split('\n')
      .map(inert)
      .join('\n')}\n`;
    if (answer.usage) {
      io.stderr.write(text);
      return 2;
    }
    io.stdout.write(text);
    if (options.chart) {
      if (!answer.chart) {
        io.stderr.write('movies: too few years to draw a chart; nothing written.\n');
        return EXIT.failed;
      }
      const { trendsPng } = await import('../../bot/chart.ts');
      writeFileSync(options.chart, await trendsPng(answer.chart.points, answer.chart.title));
      io.stdout.write(`chart: ${options.chart}\n`);
    }
    return 0;
  } catch (err) {
    io.stderr.write(`movies: ${err instanceof QueryError ? err.message : describeAwsError(err)}\n`);
    return EXIT.failed;
  }
}
