/**
 * The answers to `/movies …`, whoever asks: the Slack listener and `movies query` in a terminal.
 * Warehouse questions are fixed SQL over the allow-listed views (bot/queries.ts).
 */
import { DescribeExecutionCommand, ListExecutionsCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { parseOutcome } from '../contract/outcome.ts';
import type { AnswerCache } from './answer-cache.ts';
import type { TrendPoint } from './chart.ts';
import { context, section, table, type Block } from './blocks.ts';
import type { WarehouseConfig } from './config.ts';
import * as queries from './queries.ts';
import { clip, slackEscape } from './slack-text.ts';
import { runQuery, type Row } from './warehouse.ts';

export interface AnswerDeps {
  readonly config: WarehouseConfig;
  readonly redshift: RedshiftDataClient;
  readonly sfn: SFNClient;
  /** Answers from the views, dropped when a successful load changes them. */
  readonly cache: AnswerCache<Answer>;
}

export interface Answer {
  readonly text: string;
  readonly blocks: Block[];
  /** Only for the asker: help, refusals, errors. */
  readonly ephemeral?: boolean;
  /** The question was not understood (the terminal exits 2). */
  readonly usage?: boolean;
  /** The same answer as a picture (trends), posted beside the table when Slack allows. */
  readonly chart?: TrendsChart;
  /** The answer's table whole, as a terminal prints it (Slack's blocks show at most 40 rows). */
  readonly table?: AnswerTable;
}

export interface AnswerTable {
  readonly title: string;
  readonly rows: readonly Row[];
  readonly columns: readonly string[];
}

/** A table answer: Slack's blocks, and the table itself. */
function tableAnswer(text: string, t: AnswerTable, empty?: string): Answer {
  return { text, blocks: table(t.title, t.rows, t.columns, empty), table: t };
}

export interface TrendsChart {
  readonly title: string;
  readonly points: TrendPoint[];
}

export const HELP = [
  '*`/movies` — ask the movie warehouse*',
  '`/movies top-rated [n] [genre]` — the best films by weighted rating (n up to 50)',
  '`/movies genres` — films, rating and votes per genre',
  '`/movies genre <name>` — one genre in detail',
  '`/movies trends [from-to]` — films and ratings per year, e.g. `/movies trends 1990-1999`',
  '`/movies status` — the latest pipeline runs',
].join('\n');

function help(problem?: string): Answer {
  return {
    text: 'How to use /movies',
    usage: Boolean(problem),
    blocks: [...(problem ? [section(`:thinking_face: ${slackEscape(problem)}`)] : []), section(HELP)],
    ephemeral: true,
  };
}

const VIEW_QUESTIONS = new Set(['top-rated', 'genres', 'genre', 'trends']);

/** The question's subcommand (lower case) and its words. */
function parse(text: string): { sub: string; args: string[] } {
  const [first = 'help', ...args] = text.trim().split(/\s+/).filter(Boolean);
  return { sub: first.toLowerCase(), args };
}

/** What needs neither the warehouse nor Step Functions: help, and a question not understood. */
function withoutAsking(sub: string): Answer {
  return sub === 'help' ? help() : help(`I do not know "${clip(sub, 40)}".`);
}

export async function answerFor(text: string, deps: AnswerDeps): Promise<Answer> {
  const { sub, args } = parse(text);
  if (sub === 'status') return status(deps);
  if (!VIEW_QUESTIONS.has(sub)) return withoutAsking(sub);
  // The warehouse questions depend only on the question and the views: kept until they change.
  return deps.cache.get(JSON.stringify([sub, ...args]), () => fromViews(sub, args, deps));
}

/** The answer when giving it takes no work (help, a kept answer), else undefined: nothing is asked. */
export function answerAtHand(text: string, deps: Pick<AnswerDeps, 'cache'>): Answer | undefined {
  const { sub, args } = parse(text);
  if (sub === 'status') return undefined;
  if (!VIEW_QUESTIONS.has(sub)) return withoutAsking(sub);
  return deps.cache.peek(JSON.stringify([sub, ...args]));
}

async function fromViews(sub: string, args: string[], deps: AnswerDeps): Promise<Answer> {
  const ask = (q: queries.Query): Promise<Row[]> =>
    runQuery(
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
  switch (sub) {
    case 'top-rated': {
      let n = 10;
      if (args[0] && /^[-+]?\d+$/.test(args[0])) n = Number(args.shift());
      if (n < 1 || n > 50) return help('n must be from 1 to 50.');
      const genre = args.join(' ').slice(0, 64) || undefined;
      const rows = await ask(queries.topRated(n, genre));
      return tableAnswer(
        'Top rated films',
        {
          title: `Top ${n} films${genre ? ` in ${genre}` : ''} by weighted rating`,
          rows,
          columns: ['title', 'release_year', 'imdb_rating', 'votes', 'weighted_rating'],
        },
        genre ? 'No rated films in this genre yet. `/movies genres` lists the genres.' : undefined,
      );
    }
    case 'genres': {
      const rows = await ask(queries.genres());
      return tableAnswer('Genres', {
        title: 'Genres',
        rows,
        columns: ['genre', 'movies', 'avg_rating', 'total_votes'],
      });
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
      return tableAnswer(`Genre ${slackEscape(name)}`, {
        title: `Genre ${name}`,
        rows,
        columns: [
          'genre',
          'movies',
          'avg_rating',
          'avg_meta_score',
          'total_votes',
          'total_gross_usd',
          'first_year',
          'last_year',
        ],
      });
    }
    case 'trends': {
      const range = args[0];
      const m = range ? /^(\d{4})(?:-(\d{4}))?$/.exec(range) : null;
      if (range && !m) return help(`"${clip(range, 40)}" is not a year range like 1990-1999.`);
      const from = m ? Number(m[1]) : undefined;
      const to = m ? Number(m[2] ?? m[1]) : undefined;
      if (from !== undefined && to !== undefined && from > to) return help('The range starts after it ends.');
      const rows = await ask(queries.trends(from, to));
      const title = `Films per year${range ? ` ${range}` : ''}`;
      return {
        ...tableAnswer(
          'Trends',
          {
            title,
            rows,
            columns: ['release_year', 'movies', 'avg_rating', 'avg_runtime_minutes', 'total_votes'],
          },
          range ? 'No films from these years in the warehouse.' : undefined,
        ),
        ...(rows.length > 1
          ? { chart: { title: `${title} and their average IMDb rating`, points: rows.map(point) } }
          : {}),
      };
    }
    default:
      return withoutAsking(sub);
  }
}

function point(r: Row): TrendPoint {
  const rating = r.avg_rating === null ? null : Number(r.avg_rating);
  return { release_year: Number(r.release_year), movies: Number(r.movies), avg_rating: rating };
}

async function status(deps: AnswerDeps): Promise<Answer> {
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
