/**
 * The bot's configuration, from environment variables, checked at start: every missing or
 * wrong value is reported, one line each, before anything runs. There are no defaults for where
 * the pipeline is (region, state machine, topics): the commands that run beside the local twin
 * pass its names (cli/twin-defaults.ts), so a deployed bot missing one says so.
 */
export interface BotConfig {
  readonly signingSecret: string;
  readonly botToken: string;
  /** Slack's Web API base (tests and local use point it elsewhere). */
  readonly slackApiUrl: string | undefined;
  readonly alertChannel: string;
  readonly dataChannel: string;
  /** The data lake: "Show failed rows" reads quarantined rows from its bad_data/ prefix only. */
  readonly bucket: string;
  /** A user group to mention on failures, e.g. S0123ABCD. */
  readonly alertMention: string | undefined;
  readonly workgroup: string;
  readonly database: string;
  readonly redshiftSecretArn: string | undefined;
  readonly stateMachineArn: string;
  readonly region: string;
  /** SNS topics whose messages are accepted. */
  readonly topicArns: readonly string[];
  /** Where signing certificates may come from: SNS's own hosts, or the local twin's URL. */
  readonly trustedCertificateUrl: string | undefined;
  readonly port: number;
  /** Where the HTTP bot keeps the SNS messages it handled, so a restart does not post them again; none: in memory only. */
  readonly seenMessagesFile: string | undefined;
  /** The address the HTTP bot listens on: loopback unless BOT_HOST says otherwise (0.0.0.0: every interface). */
  readonly host: string;
  /** The bot's public base URL; when set, it subscribes `${publicUrl}/sns` to the topics at start. */
  readonly publicUrl: string | undefined;
  readonly allowedChannels: readonly string[] | undefined;
  readonly allowedUsers: readonly string[] | undefined;
  /** How long a warehouse query may take before the user is told so. */
  readonly queryTimeoutMs: number;
  /** How long an answer is reused when no success outcome has said the views changed. */
  readonly cacheTtlMs: number;
}

export class ConfigError extends Error {
  // So a host that reports errors by name (Lambda's errorType) says what this is.
  override readonly name = 'ConfigError';

  constructor(readonly problems: readonly string[]) {
    super(`The bot is not configured:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** What answering `/movies` needs: the warehouse (defaults: the stack's names) and the state machine. */
export type WarehouseConfig = Pick<
  BotConfig,
  'workgroup' | 'database' | 'redshiftSecretArn' | 'stateMachineArn' | 'region' | 'queryTimeoutMs'
>;

type Get = (name: string) => string | undefined;
const getter =
  (env: NodeJS.ProcessEnv): Get =>
  (name) =>
    env[name]?.trim() || undefined;

/** A setting that must be given: its value, or '' with the problem noted. */
type Required = (name: string, what: string, check?: (v: string) => string | null) => string;
const requirer =
  (get: Get, problems: string[]): Required =>
  (name, what, check) => {
    const v = get(name);
    if (!v) {
      problems.push(`${name} is missing: ${what}.`);
      return '';
    }
    const wrong = check?.(v);
    if (wrong) problems.push(`${name} ${wrong}`);
    return v;
  };

/** For `movies query`: the warehouse settings alone, no Slack. */
export function readWarehouseConfig(env: NodeJS.ProcessEnv): WarehouseConfig {
  const problems: string[] = [];
  const get = getter(env);
  const config = warehouseSettings(get, requirer(get, problems), problems);
  if (problems.length) throw new ConfigError(problems);
  return config;
}

function warehouseSettings(get: Get, required: Required, problems: string[]): WarehouseConfig {
  const timeout = Number(get('MOVIES_QUERY_TIMEOUT_SECONDS') ?? 20);
  if (!(timeout > 0))
    problems.push(
      `MOVIES_QUERY_TIMEOUT_SECONDS must be a positive number: "${get('MOVIES_QUERY_TIMEOUT_SECONDS')}".`,
    );
  return {
    workgroup: get('MOVIES_REDSHIFT_WORKGROUP') ?? 'movies',
    database: get('MOVIES_REDSHIFT_DATABASE') ?? 'movies',
    redshiftSecretArn: get('MOVIES_REDSHIFT_SECRET_ARN'),
    stateMachineArn: required(
      'MOVIES_STATE_MACHINE_ARN',
      "the pipeline's state machine, for /movies status (stack output StateMachineArn)",
      (v) =>
        /^arn:aws[\w-]*:states:[a-z]{2}(-[a-z]+)+-\d+:\d{12}:stateMachine:[\w-]+$/.test(v)
          ? null
          : `is not a Step Functions state machine ARN: "${v}".`,
    ),
    region: region(get, required, problems),
    queryTimeoutMs: timeout * 1000,
  };
}

/** The region, from AWS_REGION or AWS_DEFAULT_REGION (whichever is set names itself if wrong). */
function region(get: Get, required: Required, problems: string[]): string {
  const name = get('AWS_REGION')
    ? 'AWS_REGION'
    : get('AWS_DEFAULT_REGION')
      ? 'AWS_DEFAULT_REGION'
      : undefined;
  if (!name)
    return required('AWS_REGION', "the AWS region of the pipeline's resources (or AWS_DEFAULT_REGION)");
  const v = get(name)!;
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(v))
    problems.push(`${name} is not an AWS region (such as eu-west-1): "${v}".`);
  return v;
}

export function readBotConfig(env: NodeJS.ProcessEnv): BotConfig {
  const problems: string[] = [];
  const get = getter(env);
  const required = requirer(get, problems);
  const channel = (v: string): string | null =>
    /^[CGD][A-Z0-9]{6,}$/.test(v) || /^#?[a-z0-9_-]{1,80}$/.test(v)
      ? null
      : `is not a channel id or name: "${v}".`;
  const url = (v: string): string | null =>
    /^https?:\/\/[^\s]+$/.test(v) ? null : `is not an http(s) URL: "${v}".`;
  const list = (name: string): string[] | undefined =>
    get(name)
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  // Slack's settings first: they are the ones a new user sets.
  const slack = {
    signingSecret: required(
      'SLACK_SIGNING_SECRET',
      "the Slack app's signing secret (Basic Information → App Credentials)",
    ),
    botToken: required('SLACK_BOT_TOKEN', 'the bot token (OAuth & Permissions), xoxb-…', (v) =>
      v.startsWith('xoxb-') ? null : 'must be a bot token starting with xoxb-.',
    ),
    alertChannel: required('MOVIES_ALERT_CHANNEL', 'the channel for failure alerts', channel),
    dataChannel: required('MOVIES_DATA_CHANNEL', 'the channel for successful loads', channel),
  };
  const warehouse = warehouseSettings(get, required, problems);
  const topics = list('MOVIES_TOPIC_ARNS');
  if (!topics)
    problems.push("MOVIES_TOPIC_ARNS is missing: the pipeline's SNS topics to accept, comma-separated.");
  for (const t of topics ?? [])
    if (!/^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w-]+(\.fifo)?$/.test(t))
      problems.push(`MOVIES_TOPIC_ARNS has a value that is not an SNS topic ARN: "${t}".`);
  const port = Number(get('PORT') ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    problems.push(`PORT is not a port number: "${get('PORT')}".`);
  const host = get('BOT_HOST') ?? '127.0.0.1';
  if (!/^[\w.:-]+$/.test(host)) problems.push(`BOT_HOST is not an address or host name: "${host}".`);
  const cacheSeconds = Number(get('MOVIES_CACHE_SECONDS') ?? 300);
  if (!(cacheSeconds >= 0))
    problems.push(`MOVIES_CACHE_SECONDS must be 0 or more: "${get('MOVIES_CACHE_SECONDS')}".`);
  const config: BotConfig = {
    ...slack,
    slackApiUrl: get('SLACK_API_URL'),
    alertMention: get('MOVIES_ALERT_MENTION'),
    bucket: get('MOVIES_BUCKET') ?? 'movies-gds',
    ...warehouse,
    topicArns: topics ?? [],
    trustedCertificateUrl: get('MOVIES_SNS_CERTIFICATE_URL'),
    port,
    host,
    seenMessagesFile: get('MOVIES_SEEN_MESSAGES_FILE'),
    publicUrl: get('BOT_PUBLIC_URL')?.replace(/\/$/, ''),
    allowedChannels: list('MOVIES_ALLOWED_CHANNELS'),
    allowedUsers: list('MOVIES_ALLOWED_USERS'),
    cacheTtlMs: cacheSeconds * 1000,
  };
  if (get('SLACK_API_URL')) {
    const wrong = url(get('SLACK_API_URL')!);
    if (wrong) problems.push(`SLACK_API_URL ${wrong}`);
  }
  if (config.publicUrl && url(config.publicUrl)) problems.push(`BOT_PUBLIC_URL ${url(config.publicUrl)}`);
  if (problems.length) throw new ConfigError(problems);
  return config;
}
