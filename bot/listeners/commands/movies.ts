/** `/movies <top-rated|genres|genre|trends|status|help>`: ack at once, answer through the response URL. */
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { DescribeExecutionCommand, ListExecutionsCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { parseOutcome } from '../../../infra/pipeline/outcome.ts';
import { context, section, table, type Block } from '../../blocks.ts';
import type { BotConfig } from '../../config.ts';
import * as queries from '../../queries.ts';
import { clip, slackEscape } from '../../slack-text.ts';
import { QueryError, runQuery, type Row } from '../../warehouse.ts';

/** What a deferred answer needs: enough of the command to answer it later. */
export interface DeferredCommand {
  readonly kind: 'movies-command';
  readonly text: string;
  readonly responseUrl: string;
  readonly channelId: string;
  readonly userId: string;
}

export interface CommandDeps {
  readonly config: BotConfig;
  /** On Lambda the answer comes from a second invocation (the first must return within Slack's 3 s). */
  readonly defer?: (command: DeferredCommand) => Promise<void>;
  readonly redshift: RedshiftDataClient;
  readonly sfn: SFNClient;
  /** View answers, dropped when a successful load changes the views. */
  readonly cache: Map<string, Row[]>;
}

export const HELP = [
  '*`/movies` — ask the movie warehouse*',
  '`/movies top-rated [n] [genre]` — the best films by weighted rating (n up to 50)',
  '`/movies genres` — films, rating and votes per genre',
  '`/movies genre <name>` — one genre in detail',
  '`/movies trends [from-to]` — films and ratings per year, e.g. `/movies trends 1990-1999`',
  '`/movies status` — the latest pipeline runs',
].join('\n');

type Answer = { blocks: Block[]; text: string; ephemeral?: boolean };

export function moviesCommand(deps: CommandDeps) {
  return async ({ command, ack, respond }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    await ack(); // within Slack's 3 seconds; the answer follows on the response URL
    const deferred: DeferredCommand = {
      kind: 'movies-command',
      text: command.text ?? '',
      responseUrl: command.response_url,
      channelId: command.channel_id,
      userId: command.user_id,
    };
    if (deps.defer) return deps.defer(deferred);
    await respond(await answerCommand(deferred, deps));
  };
}

/** The answer to a command, as a response_url payload. */
export async function answerCommand(
  command: DeferredCommand,
  deps: CommandDeps,
): Promise<{ response_type: 'ephemeral' | 'in_channel'; text: string; blocks: Block[] }> {
  const { config } = deps;
  let answer: Answer;
  if (config.allowedChannels && !config.allowedChannels.includes(command.channelId))
    answer = {
      text: 'Not here',
      blocks: [section('`/movies` is not enabled in this channel.')],
      ephemeral: true,
    };
  else if (config.allowedUsers && !config.allowedUsers.includes(command.userId))
    answer = {
      text: 'Not allowed',
      blocks: [section('You are not on the list of people who may ask `/movies`.')],
      ephemeral: true,
    };
  else {
    try {
      answer = await answerFor(command.text, deps);
    } catch (err) {
      if (!(err instanceof QueryError)) throw err;
      answer = {
        text: err.message,
        blocks: [section(`:hourglass: ${slackEscape(err.message)}`)],
        ephemeral: true,
      };
    }
  }
  return {
    response_type: answer.ephemeral ? 'ephemeral' : 'in_channel',
    text: answer.text,
    blocks: answer.blocks,
  };
}

function help(problem?: string): Answer {
  return {
    text: 'How to use /movies',
    blocks: [...(problem ? [section(`:thinking_face: ${slackEscape(problem)}`)] : []), section(HELP)],
    ephemeral: true,
  };
}

export async function answerFor(text: string, deps: CommandDeps): Promise<Answer> {
  const [sub = 'help', ...args] = text.trim().split(/\s+/).filter(Boolean);
  const ask = async (q: queries.Query): Promise<Row[]> => {
    const key = JSON.stringify([q.sql, q.parameters]);
    let rows = deps.cache.get(key);
    if (!rows) {
      rows = await runQuery(
        deps.redshift,
        {
          workgroup: deps.config.workgroup,
          database: deps.config.database,
          ...(deps.config.redshiftSecretArn ? { secretArn: deps.config.redshiftSecretArn } : {}),
          timeoutMs: deps.config.queryTimeoutMs,
        },
        q.sql,
        q.parameters,
      );
      deps.cache.set(key, rows);
    }
    return rows;
  };
  switch (sub.toLowerCase()) {
    case 'help':
      return help();
    case 'top-rated': {
      let n = 10;
      if (args[0] && /^\d+$/.test(args[0])) n = Number(args.shift());
      if (n < 1 || n > 50) return help('n must be from 1 to 50.');
      const genre = args.join(' ').slice(0, 64) || undefined;
      const rows = await ask(queries.topRated(n, genre));
      return {
        text: 'Top rated films',
        blocks: table(`Top ${n} films${genre ? ` in ${genre}` : ''} by weighted rating`, rows, [
          'title',
          'release_year',
          'imdb_rating',
          'votes',
          'weighted_rating',
        ]),
      };
    }
    case 'genres': {
      const rows = await ask(queries.genres());
      return {
        text: 'Genres',
        blocks: table('Genres', rows, ['genre', 'movies', 'avg_rating', 'total_votes']),
      };
    }
    case 'genre': {
      const name = args.join(' ').slice(0, 64);
      if (!name) return help('Which genre? e.g. `/movies genre Drama`');
      const rows = await ask(queries.genre(name));
      if (!rows.length)
        return {
          text: 'No such genre',
          blocks: [section(`No films in genre *${slackEscape(name)}* yet. \`/movies genres\` lists them.`)],
          ephemeral: true,
        };
      return {
        text: `Genre ${name}`,
        blocks: table(`Genre ${name}`, rows, [
          'genre',
          'movies',
          'avg_rating',
          'avg_meta_score',
          'total_votes',
          'total_gross_usd',
          'first_year',
          'last_year',
        ]),
      };
    }
    case 'trends': {
      const range = args[0];
      const m = range ? /^(\d{4})(?:-(\d{4}))?$/.exec(range) : null;
      if (range && !m) return help(`"${clip(range, 40)}" is not a year range like 1990-1999.`);
      const from = m ? Number(m[1]) : undefined;
      const to = m ? Number(m[2] ?? m[1]) : undefined;
      if (from !== undefined && to !== undefined && from > to) return help('The range starts after it ends.');
      const rows = await ask(queries.trends(from, to));
      return {
        text: 'Trends',
        blocks: table(`Films per year${range ? ` ${range}` : ''}`, rows, [
          'release_year',
          'movies',
          'avg_rating',
          'avg_runtime_minutes',
          'total_votes',
        ]),
      };
    }
    case 'status':
      return status(deps);
    default:
      return help(`I do not know "${clip(sub, 40)}".`);
  }
}

async function status(deps: CommandDeps): Promise<Answer> {
  const list = await deps.sfn.send(
    new ListExecutionsCommand({ stateMachineArn: deps.config.stateMachineArn, maxResults: 10 }),
  );
  const lines = await Promise.all(
    (list.executions ?? []).map(async (e) => {
      const d = await deps.sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn }));
      let what = d.status ?? 'UNKNOWN';
      let file = '';
      try {
        const o = parseOutcome((d.status === 'SUCCEEDED' ? d.output : d.cause) ?? '');
        what = o.status;
        file = o.source.key;
      } catch {
        const input = JSON.parse(d.input ?? '{}') as { detail?: { object?: { key?: string } } };
        file = input.detail?.object?.key ?? '';
      }
      return `• ${slackEscape(what)} ${file ? `\`${slackEscape(file)}\`` : ''} — ${e.startDate?.toISOString().replace('T', ' ').slice(0, 16) ?? ''}`;
    }),
  );
  return {
    text: 'Pipeline status',
    blocks: [
      section('*Latest pipeline runs*'),
      section(lines.join('\n') || 'No runs yet.'),
      context(slackEscape(deps.config.stateMachineArn)),
    ],
  };
}
