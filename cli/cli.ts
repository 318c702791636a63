/** `movies` command line: parses arguments, dispatches, maps each command's result to an exit code. */
import { parseArgs } from 'node:util';
import { rulesCheck } from './commands/rules-check.ts';
import { validate } from './commands/validate.ts';
import { LOCAL_BUCKET, LOCAL_STATE_MACHINE_ARN } from '../local-aws/names.ts';
import type { Io } from './io.ts';

/** A mistake in how the command was called: exit 2 with one sentence and the usage. */
export class UsageError extends Error {}

export const USAGE = `Usage:
  movies validate <csv...> [--rules FILE] [--json] [--out DIR]
      Check movie drops against the data contract and the ruleset.
      Exit 0: every rule passed; 1: a rule failed; 2: a usage or file-level error.
  movies rules check <file.dqdl> [--json]
      Parse a DQDL ruleset; print it in canonical form, or the syntax error. Exit 0 or 2.
  movies drop <csv...> [--bucket B] [--prefix P] [--wait] [--state-machine-arn ARN]
              [--timeout-minutes N] [--poll-seconds N]
      Upload drops (key: prefix + path under data/) and, with --wait, follow each through
      the pipeline. AWS_ENDPOINT_URL reaches the local twin. Exit 0, or 1 if a drop failed.
  movies query <top-rated [n] [genre] | genres | genre NAME | trends [FROM-TO] [--chart PNG] | status>
      The Slack bot's /movies answers, as text (--chart also draws trends as a PNG). MOVIES_REDSHIFT_* and MOVIES_STATE_MACHINE_ARN
      point it at AWS (see README); with AWS_ENDPOINT_URL it asks the local twin. Exit 0, 1 if
      the warehouse failed, 2 if the question was not understood.
  movies bot
      The Slack bot (configured by environment variables, see README): Slack requests at
      /slack/events, SNS at /sns; with BOT_PUBLIC_URL it subscribes to the pipeline's topics.
  movies local [--port N] [--data-dir DIR] [--bot]
      Run the local twin of the AWS side (S3, Step Functions, Redshift Data API, SNS) on
      127.0.0.1 (default port 4566, data in .movies-local/).
  movies help
`;

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'validate': {
        const { values, positionals } = parseArgs({
          args: [...rest],
          allowPositionals: true,
          options: { rules: { type: 'string' }, json: { type: 'boolean' }, out: { type: 'string' } },
        });
        if (!positionals.length) throw new UsageError('validate needs at least one CSV file.');
        return await validate(
          positionals,
          { rules: values.rules, json: values.json ?? false, out: values.out },
          io,
        );
      }
      case 'rules': {
        const { values, positionals } = parseArgs({
          args: [...rest],
          allowPositionals: true,
          options: { json: { type: 'boolean' } },
        });
        if (positionals[0] !== 'check' || positionals.length !== 2)
          throw new UsageError('use: movies rules check <file.dqdl>');
        return rulesCheck(positionals[1]!, values.json ?? false, io);
      }
      case 'drop': {
        const { values, positionals } = parseArgs({
          args: [...rest],
          allowPositionals: true,
          options: {
            bucket: { type: 'string' },
            prefix: { type: 'string' },
            wait: { type: 'boolean' },
            'state-machine-arn': { type: 'string' },
            'timeout-minutes': { type: 'string' },
            'poll-seconds': { type: 'string' },
          },
        });
        if (!positionals.length) throw new UsageError('drop needs at least one CSV file.');
        const number = (name: string, value: string | undefined, fallback: number): number => {
          const n = value === undefined ? fallback : Number(value);
          if (!(n > 0)) throw new UsageError(`--${name} must be a positive number; got "${value}".`);
          return n;
        };
        const local = process.env.AWS_ENDPOINT_URL?.includes('127.0.0.1')
          ? LOCAL_STATE_MACHINE_ARN
          : undefined;
        // Loaded on demand: the AWS SDK (and for `local` the CDK app) need not load for `validate`.
        const { drop } = await import('./commands/drop.ts');
        return await drop(
          positionals,
          {
            bucket: values.bucket ?? process.env.MOVIES_BUCKET ?? LOCAL_BUCKET,
            prefix: values.prefix ?? 'input_data/',
            stateMachineArn: values['state-machine-arn'] ?? process.env.MOVIES_STATE_MACHINE_ARN ?? local,
            wait: values.wait ?? false,
            timeoutMinutes: number('timeout-minutes', values['timeout-minutes'], 30),
            pollSeconds: number('poll-seconds', values['poll-seconds'], 5),
          },
          io,
        );
      }
      case 'query': {
        const { values, positionals } = parseArgs({
          args: [...rest],
          allowPositionals: true,
          options: { chart: { type: 'string' } },
        });
        if (!positionals.length)
          throw new UsageError('query needs a question, e.g. movies query top-rated 5.');
        if (values.chart !== undefined && positionals[0] !== 'trends')
          throw new UsageError(
            '--chart draws the trends answer only: movies query trends --chart trends.png',
          );
        const { query } = await import('./commands/query.ts');
        return await query(positionals, { chart: values.chart }, io);
      }
      case 'bot': {
        const { bot } = await import('./commands/bot.ts');
        return await bot(io);
      }
      case 'local': {
        const { values } = parseArgs({
          args: [...rest],
          options: { port: { type: 'string' }, 'data-dir': { type: 'string' }, bot: { type: 'boolean' } },
        });
        const port = values.port === undefined ? 4566 : Number(values.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535)
          throw new UsageError(`--port must be a port number; got "${values.port}".`);
        const { local } = await import('./commands/local.ts');
        return await local(
          { port, dataDir: values['data-dir'] ?? '.movies-local', withBot: values.bot ?? false },
          io,
        );
      }
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(USAGE);
        return 0;
      case undefined:
        throw new UsageError('no command given.');
      default:
        throw new UsageError(`unknown command "${command}".`);
    }
  } catch (err) {
    if (err instanceof UsageError || isParseArgsError(err)) {
      io.stderr.write(`movies: ${(err as Error).message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
}

function isParseArgsError(err: unknown): boolean {
  // Checked by code, not class: errors may come from another realm (vm contexts, test runners).
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
