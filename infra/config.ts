/**
 * Deployment settings, read from CDK context (`-c key=value` or cdk.json), with defaults that
 * deploy a working pipeline. README "Deploy" lists every key.
 */

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
  /** Redshift Serverless base capacity in RPUs (8 is the minimum). */
  readonly redshiftBaseCapacity: number;
  readonly glueWorkerType: 'G.1X' | 'G.2X';
  readonly glueWorkers: number;
  readonly crawlerTimeoutMinutes: number;
  readonly etlTimeoutMinutes: number;
  /** Slack channels for failure alerts and for successful loads (ids or names). */
  readonly slackAlertChannel: string;
  readonly slackDataChannel: string;
}

export const DEFAULTS: PipelineConfig = {
  archiveTransitionDays: 30,
  badDataExpirationDays: 90,
  alertEmails: [],
  githubRepository: 'movies-gds/movies-gds',
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

/** Read the config from a context getter (app.node.tryGetContext), validating each value. */
export function readConfig(get: (key: string) => unknown): PipelineConfig {
  const text = (key: keyof PipelineConfig): string | undefined => {
    const v = get(key);
    return v === undefined || v === null || v === '' ? undefined : String(v);
  };
  const int = (key: keyof PipelineConfig, min: number, max: number): number => {
    const v = text(key);
    if (v === undefined) return DEFAULTS[key] as number;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new Error(`Context ${key} must be a whole number from ${min} to ${max}; got "${v}".`);
    return n;
  };
  const repo = text('githubRepository') ?? DEFAULTS.githubRepository;
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repo))
    throw new Error(`Context githubRepository must be owner/name; got "${repo}".`);
  const workerType = text('glueWorkerType') ?? DEFAULTS.glueWorkerType;
  if (workerType !== 'G.1X' && workerType !== 'G.2X')
    throw new Error(`Context glueWorkerType must be G.1X or G.2X; got "${workerType}".`);
  const emails = (text('alertEmails') ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  for (const e of emails)
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(e))
      throw new Error(`Context alertEmails has an invalid address: "${e}".`);
  const bucketName = text('bucketName');
  if (bucketName && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucketName))
    throw new Error(`Context bucketName is not a valid S3 bucket name: "${bucketName}".`);
  const adopt = text('adoptBucket') ?? 'false';
  if (adopt !== 'true' && adopt !== 'false')
    throw new Error(`Context adoptBucket must be true or false; got "${adopt}".`);
  if (adopt === 'true' && !bucketName)
    throw new Error('Context adoptBucket needs bucketName, the name of the bucket to adopt.');
  // Spliced into the schema's SQL: lower-case SQL names only (as Redshift folds them).
  const sqlName = (key: 'redshiftDatabase' | 'redshiftAdminUser'): string => {
    const v = text(key) ?? DEFAULTS[key];
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(v))
      throw new Error(
        `Context ${key} must be lower-case letters, digits and _ (not starting with a digit); got "${v}".`,
      );
    return v;
  };
  const providerArn = text('githubOidcProviderArn');
  return {
    ...(bucketName ? { bucketName } : {}),
    ...(adopt === 'true' ? { adoptBucket: true } : {}),
    archiveTransitionDays: int('archiveTransitionDays', 1, 3650),
    badDataExpirationDays: int('badDataExpirationDays', 1, 3650),
    alertEmails: emails,
    githubRepository: repo,
    githubBranch: text('githubBranch') ?? DEFAULTS.githubBranch,
    ...(providerArn ? { githubOidcProviderArn: providerArn } : {}),
    redshiftDatabase: sqlName('redshiftDatabase'),
    redshiftAdminUser: sqlName('redshiftAdminUser'),
    redshiftBaseCapacity: int('redshiftBaseCapacity', 8, 512),
    glueWorkerType: workerType,
    glueWorkers: int('glueWorkers', 2, 100),
    crawlerTimeoutMinutes: int('crawlerTimeoutMinutes', 1, 240),
    etlTimeoutMinutes: int('etlTimeoutMinutes', 5, 2880),
    slackAlertChannel: text('slackAlertChannel') ?? DEFAULTS.slackAlertChannel,
    slackDataChannel: text('slackDataChannel') ?? DEFAULTS.slackDataChannel,
  };
}

/** Where things live in the data lake. */
export const PREFIXES = {
  input: 'input_data/',
  badData: 'bad_data/',
  archive: 'archive/',
  results: 'results/',
  scripts: 'scripts/',
} as const;
