/**
 * Deployment settings, read from CDK context (`-c key=value` or cdk.json), with defaults that
 * deploy a working pipeline, except the repository allowed to drop data, which must be named.
 * README "Deploy" lists every key.
 */
import { DATABASE_USERS } from '../contract/sql.ts';

/** A context value that cannot be deployed: its message is the one sentence the user sees. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface PipelineConfig {
  /**
   * A fixed data-lake bucket name; by default CloudFormation names the bucket, so a redeploy
   * after `cdk destroy` (which keeps the bucket) never collides. The name is the stack output BucketName.
   */
  readonly bucketName?: string;
  /** Adopt the existing bucket named bucketName (with `cdk deploy --import-existing-resources`). */
  readonly adoptBucket?: boolean;
  /** Days before archive/ moves to Glacier Instant Retrieval. */
  readonly archiveTransitionDays: number;
  /** Days before bad_data/ (quarantined rows) expires. */
  readonly badDataExpirationDays: number;
  /** E-mail addresses subscribed to the failure topic. */
  readonly alertEmails: readonly string[];
  /** owner/name of the repository whose workflows may drop data. */
  readonly githubRepository: string;
  /** Branch whose pushes may upload (pull requests may only validate). */
  readonly githubBranch: string;
  /** An existing GitHub OIDC provider to import instead of creating one (one per account). */
  readonly githubOidcProviderArn?: string;
  readonly redshiftDatabase: string;
  readonly redshiftAdminUser: string;
  /** Redshift Serverless base capacity in RPUs: 4, 8 to 512 by 8, 512 to 1024 by 32. */
  readonly redshiftBaseCapacity: number;
  readonly glueWorkerType: 'G.1X' | 'G.2X';
  readonly glueWorkers: number;
  readonly crawlerTimeoutMinutes: number;
  readonly etlTimeoutMinutes: number;
  /** Slack channels for failure alerts and for successful loads (ids or names). */
  readonly slackAlertChannel: string;
  readonly slackDataChannel: string;
}

export const DEFAULTS: Omit<PipelineConfig, 'githubRepository'> = {
  archiveTransitionDays: 30,
  badDataExpirationDays: 90,
  alertEmails: [],
  githubBranch: 'main',
  redshiftDatabase: 'movies',
  redshiftAdminUser: 'movies_admin',
  redshiftBaseCapacity: 8,
  glueWorkerType: 'G.1X',
  glueWorkers: 2,
  crawlerTimeoutMinutes: 15,
  etlTimeoutMinutes: 60,
  slackAlertChannel: 'movies-alerts',
  slackDataChannel: 'movies-data',
};

function fail(message: string): never {
  throw new ConfigError(message);
}

/** The context keys this app reads. */
export const CONTEXT_KEYS: readonly (keyof PipelineConfig)[] = [
  'bucketName',
  'adoptBucket',
  ...(Object.keys(DEFAULTS) as (keyof PipelineConfig)[]),
  'githubRepository',
  'githubOidcProviderArn',
];

/** Read the config from a context getter (app.node.tryGetContext), validating each value. */
export function readConfig(get: (key: string) => unknown): PipelineConfig {
  const text = (key: keyof PipelineConfig): string | undefined => {
    const v = get(key);
    return v === undefined || v === null || v === '' ? undefined : String(v);
  };
  const int = (key: keyof PipelineConfig, min: number, max: number): number => {
    const v = text(key);
    if (v === undefined) return DEFAULTS[key as keyof typeof DEFAULTS] as number;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max)
      fail(`Context ${key} must be a whole number from ${min} to ${max}; got "${v}".`);
    return n;
  };
  // No default: a default repository would let its pushes write to every deployer's bucket.
  const repo =
    text('githubRepository') ??
    fail(
      'Context githubRepository is required: the owner/name of the repository whose pushes may drop data (-c githubRepository=acme/movies-data).',
    );
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repo))
    fail(`Context githubRepository must be owner/name; got "${repo}".`);
  const branch = text('githubBranch') ?? DEFAULTS.githubBranch;
  if (!/^[A-Za-z0-9._/-]+$/.test(branch) || branch.includes('..'))
    fail(`Context githubBranch must be a branch name (letters, digits, . _ / -); got "${branch}".`);
  const workerType = text('glueWorkerType') ?? DEFAULTS.glueWorkerType;
  if (workerType !== 'G.1X' && workerType !== 'G.2X')
    fail(`Context glueWorkerType must be G.1X or G.2X; got "${workerType}".`);
  const emails = (text('alertEmails') ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  for (const e of emails)
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(e)) fail(`Context alertEmails has an invalid address: "${e}".`);
  const bucketName = text('bucketName');
  if (
    bucketName &&
    (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucketName) ||
      bucketName.includes('..') ||
      /^\d+\.\d+\.\d+\.\d+$/.test(bucketName) ||
      // Prefixes and suffixes S3 keeps for itself.
      /^(xn--|sthree-|amzn-s3-demo-)|(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(bucketName))
  )
    fail(
      `Context bucketName is not a valid S3 bucket name (3 to 63 lower-case letters, digits, dots and hyphens, not an IP address nor a name S3 reserves): "${bucketName}".`,
    );
  const adopt = text('adoptBucket') ?? 'false';
  if (adopt !== 'true' && adopt !== 'false')
    fail(`Context adoptBucket must be true or false; got "${adopt}".`);
  if (adopt === 'true' && !bucketName)
    fail('Context adoptBucket needs bucketName, the name of the bucket to adopt.');
  // Spliced into the schema's SQL: lower-case SQL names only (as Redshift folds them).
  const sqlName = (key: 'redshiftDatabase' | 'redshiftAdminUser'): string => {
    const v = text(key) ?? DEFAULTS[key];
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(v))
      fail(
        `Context ${key} must be lower-case letters, digits and _ (not starting with a digit); got "${v}".`,
      );
    return v;
  };
  const admin = sqlName('redshiftAdminUser');
  // The schema resource (re)sets these users' passwords from their own secrets: never the admin's.
  if ((Object.values(DATABASE_USERS) as string[]).includes(admin))
    fail(`Context redshiftAdminUser must not be ${admin}, a user the stack creates for one job.`);
  const capacity = int('redshiftBaseCapacity', 4, 1024);
  // Redshift Serverless's steps: 4, then 8 to 512 by 8, then to 1024 by 32 (1024 in some regions only).
  if (capacity !== 4 && (capacity % 8 !== 0 || (capacity > 512 && capacity % 32 !== 0)))
    fail(
      `Context redshiftBaseCapacity must be 4, a multiple of 8 up to 512, or a multiple of 32 up to 1024 RPUs; got "${capacity}".`,
    );
  const providerArn = text('githubOidcProviderArn');
  if (
    providerArn &&
    !/^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/.test(providerArn)
  )
    fail(
      `Context githubOidcProviderArn must be the ARN of the account's GitHub provider (arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com); got "${providerArn}".`,
    );
  return {
    ...(bucketName ? { bucketName } : {}),
    ...(adopt === 'true' ? { adoptBucket: true } : {}),
    archiveTransitionDays: int('archiveTransitionDays', 1, 3650),
    badDataExpirationDays: int('badDataExpirationDays', 1, 3650),
    alertEmails: emails,
    githubRepository: repo,
    githubBranch: branch,
    ...(providerArn ? { githubOidcProviderArn: providerArn } : {}),
    redshiftDatabase: sqlName('redshiftDatabase'),
    redshiftAdminUser: admin,
    redshiftBaseCapacity: capacity,
    glueWorkerType: workerType,
    glueWorkers: int('glueWorkers', 2, 100),
    crawlerTimeoutMinutes: int('crawlerTimeoutMinutes', 1, 240),
    etlTimeoutMinutes: int('etlTimeoutMinutes', 5, 2880),
    slackAlertChannel: text('slackAlertChannel') ?? DEFAULTS.slackAlertChannel,
    slackDataChannel: text('slackDataChannel') ?? DEFAULTS.slackDataChannel,
  };
}
