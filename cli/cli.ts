/**
 * `movies` command line: one entry per command (its help, its options, what it runs), parsed
 * here, run by cli/commands/. Exit codes are one table for all of them (exit-codes.ts).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { LOCAL_BUCKET, LOCAL_STATE_MACHINE_ARN } from '../local-aws/names.ts';
import { EXIT, EXIT_CODES_HELP } from './exit-codes.ts';
import { pointsAtTwin } from './twin-defaults.ts';
import type { Io } from './io.ts';

/** A mistake in how the command was called: exit 2 with one sentence and where to find help. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | undefined>;

interface Command {
  /** The synopsis and what the command does, as `movies <command> --help` prints it. */
  readonly help: string;
  readonly options: Options;
  run(values: Values, positionals: string[], io: Io): Promise<number>;
}

const string = { type: 'string' } as const;
const flag = { type: 'boolean' } as const;

const COMMANDS: Record<string, Command> = {
  validate: {
    help: `movies validate <csv...> [--rules FILE] [--json] [--out DIR]
    Check drops against the data contract and the ruleset (default: the pipeline's own), and say
    what the pipeline would do with each file. --json prints Glue's GetDataQualityResult shape;
    --out DIR writes good.csv (what would load) and bad.csv (what would be quarantined).
    Exit 0 every row would load, 1 PARTIAL, 2 a usage or file error, 3 QUALITY_FAILED.
`,
    options: { rules: string, json: flag, out: string },
    async run(values, positionals, io) {
      if (!positionals.length) throw new UsageError('validate needs at least one CSV file.');
      const { validate } = await import('./commands/validate.ts');
      return validate(
        positionals,
        {
          rules: values.rules as string | undefined,
          json: Boolean(values.json),
          out: values.out as string | undefined,
        },
        io,
      );
    },
  },
  rules: {
    help: `movies rules check <file.dqdl> [--json]
    Parse a DQDL ruleset as AWS Glue does; print it in canonical form, or the first syntax error
    with line and column. Exit 0 valid, 2 not.
`,
    options: { json: flag },
    async run(values, positionals, io) {
      if (positionals[0] !== 'check' || positionals.length !== 2)
        throw new UsageError('use: movies rules check <file.dqdl>.');
      const { rulesCheck } = await import('./commands/rules-check.ts');
      return rulesCheck(positionals[1]!, Boolean(values.json), io);
    },
  },
  drop: {
    help: `movies drop <csv...> [--bucket B] [--prefix P] [--wait] [--state-machine-arn ARN]
            [--timeout-minutes N] [--poll-seconds N]
    Upload drops and, with --wait, follow each through the pipeline. The key is the prefix
    (default input_data/) plus the file's path under data/, or from the working directory;
    a file outside the working directory is keyed by its name alone. MOVIES_BUCKET and
    MOVIES_STATE_MACHINE_ARN name the pipeline; AWS_ENDPOINT_URL reaches the local twin.
    Exit 0 loaded (or uploaded, without --wait), 1 PARTIAL, 2 a usage or file error,
    3 QUALITY_FAILED, 4 FAILED or TIMEOUT.
`,
    options: {
      bucket: string,
      prefix: string,
      wait: flag,
      'state-machine-arn': string,
      'timeout-minutes': string,
      'poll-seconds': string,
    },
    async run(values, positionals, io) {
      if (!positionals.length) throw new UsageError('drop needs at least one CSV file.');
      // The twin's names only when talking to the twin: on AWS a default bucket would be someone else's.
      const twin = pointsAtTwin(process.env);
      const bucket =
        (values.bucket as string | undefined) ??
        process.env.MOVIES_BUCKET ??
        (twin ? LOCAL_BUCKET : undefined);
      if (!bucket)
        throw new UsageError(
          'drop needs the bucket: give --bucket or set MOVIES_BUCKET (the stack output BucketName).',
        );
      // Loaded on demand: the AWS SDK need not load for `validate`.
      const { drop } = await import('./commands/drop.ts');
      return drop(
        positionals,
        {
          bucket,
          prefix: (values.prefix as string | undefined) ?? 'input_data/',
          stateMachineArn:
            (values['state-machine-arn'] as string | undefined) ??
            process.env.MOVIES_STATE_MACHINE_ARN ??
            (twin ? LOCAL_STATE_MACHINE_ARN : undefined),
          wait: Boolean(values.wait),
          timeoutMinutes: positive('timeout-minutes', values['timeout-minutes'], 30),
          pollSeconds: positive('poll-seconds', values['poll-seconds'], 5),
        },
        io,
      );
    },
  },
  query: {
    help: `movies query <top-rated [n] [genre] | genres | genre NAME | trends [FROM-TO] | status> [--chart PNG]
    The Slack bot's /movies answers, as text (--chart also draws trends as a PNG). With
    AWS_ENDPOINT_URL it asks the local twin; on AWS, MOVIES_REDSHIFT_* and
    MOVIES_STATE_MACHINE_ARN point it at the pipeline (see README).
    Exit 0 answered, 2 a question it does not understand, 4 the warehouse failed or timed
    out (or had too few years to draw).
`,
    options: { chart: string },
    async run(values, positionals, io) {
      if (!positionals.length) throw new UsageError('query needs a question, e.g. movies query top-rated 5.');
      if (values.chart !== undefined && positionals[0] !== 'trends')
        throw new UsageError('--chart draws the trends answer only: movies query trends --chart trends.png.');
      const { query } = await import('./commands/query.ts');
      return query(positionals, { chart: values.chart as string | undefined }, io);
    },
  },
  bot: {
    help: `movies bot
    The Slack bot, configured by environment variables (see README): Slack requests at
    /slack/events, SNS at /sns; with BOT_PUBLIC_URL it subscribes to the pipeline's topics.
    Runs until interrupted. Exit 2 it could not start (a setting, the port, the subscription).
`,
    options: {},
    async run(_values, positionals, io) {
      if (positionals.length)
        throw new UsageError('bot takes no arguments; it is configured by the environment.');
      const { bot } = await import('./commands/bot.ts');
      return bot(io);
    },
  },
  local: {
    help: `movies local [--port N] [--data-dir DIR] [--bot]
    Run the local twin of the AWS side (S3, Step Functions, Redshift Data API, SNS) on 127.0.0.1
    (default port 4566, data in .movies-local/) until interrupted; with --bot, the Slack bot
    beside it. Exit 2 it could not start (the port is taken, the data directory cannot be used).
`,
    options: { port: string, 'data-dir': string, bot: flag },
    async run(values, positionals, io) {
      if (positionals.length) throw new UsageError(`local takes no arguments; got "${positionals[0]}".`);
      const port = values.port === undefined ? 4566 : Number(values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new UsageError(`--port must be a port number; got "${String(values.port)}".`);
      const { local } = await import('./commands/local.ts');
      return local(
        {
          port,
          dataDir: (values['data-dir'] as string | undefined) ?? '.movies-local',
          withBot: Boolean(values.bot),
        },
        io,
      );
    },
  },
};

const USAGE = `Usage: movies <command> [options]   (movies <command> --help for one)

${Object.values(COMMANDS)
  .map((c) => c.help)
  .join('\n')}
movies help, movies --help
    This text.

${EXIT_CODES_HELP}`;

function positive(name: string, value: string | boolean | undefined, fallback: number): number {
  const n = value === undefined ? fallback : Number(value);
  if (!(n > 0)) throw new UsageError(`--${name} must be a positive number; got "${String(value)}".`);
  return n;
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === 'help' || name === '--help' || name === '-h') {
    io.stdout.write(USAGE);
    return EXIT.ok;
  }
  const command = name === undefined ? undefined : COMMANDS[name];
  try {
    if (name === undefined) throw new UsageError('no command given.');
    if (!command) throw new UsageError(`unknown command "${name}".`);
    // Help wherever it is asked for, before the rest is judged: `movies drop x.csv --help` too.
    const options = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
    if (options.some((a) => a === '--help' || a === '-h')) {
      io.stdout.write(`Usage: ${command.help}\n${EXIT_CODES_HELP}`);
      return EXIT.ok;
    }
    const { values, positionals } = parseOptions(name!, command, rest);
    return await command.run(values, positionals, io);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    const more = command ? `movies ${name} --help` : 'movies --help';
    io.stderr.write(`movies: ${err.message} See ${more}.\n`);
    return EXIT.usage;
  }
}

/** The options and arguments, or a UsageError in our words (not parseArgs' own, which quote oddly). */
function parseOptions(
  name: string,
  command: Command,
  args: string[],
): { values: Values; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: command.options,
    });
    // No option is `multiple`, so none is an array.
    return { values: values as Values, positionals };
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    // Checked by code, not class: errors may come from another realm (vm contexts, test runners).
    if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS')) throw err;
    const option = /'(-{1,2}[^' ]*)/.exec((err as Error).message)?.[1];
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
      throw new UsageError(option ? `${name} has no option ${option}.` : `${name} has no such option.`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE')
      throw new UsageError(`${option ?? 'an option'} needs a value.`);
    throw new UsageError((err as Error).message);
  }
}
