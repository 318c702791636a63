/**
 * The reverse of the tables: every (action, resource) an identity policy of a role grants must be
 * used by an allowed call of that role in calls.ts, or be allowed below with its reason. The
 * denied table is a sample; this is what catches a grant broader than the calls (s3:* on the
 * bucket, s3:PutBucketPolicy, ...). AWS managed policies are fixtures (aws-managed-policies.ts)
 * and are not checked here.
 */
import type { Call } from './simulate.ts';
import type { Principal, PrincipalName } from './principals.ts';

/** One (action, resource) pair of an Allow statement; a wildcard action is used if any allowed call matches it. */
export interface Grant {
  readonly principal: PrincipalName;
  readonly policy: string;
  readonly action: string;
  readonly resource: string;
}

/** An IAM pattern (`*` any run of characters, `?` one) as a case-sensitive or -insensitive regular expression. */
export function iamPattern(pattern: string, flags = ''): RegExp {
  const body = [...pattern]
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, flags);
}

/**
 * Grants that are allowed without a call in the table, each with its reason. Keep it short: an
 * entry here is a permission no test exercises.
 */
export const UNUSED_GRANT_ALLOWANCES: readonly {
  readonly principal?: PrincipalName;
  readonly actions: readonly string[];
  /** A pattern the granted resource must match; any when absent. */
  readonly resource?: string;
  readonly why: string;
}[] = [
  {
    actions: ['s3:GetBucket*', 's3:List*'],
    why: "CDK's bucket.grantRead and grantReadWrite add these to s3:GetObject* on every bucket and prefix they grant (aws-s3 BUCKET_READ_ACTIONS)",
  },
  {
    principal: 'Glue job and crawlers',
    actions: [
      's3:GetObject*',
      's3:DeleteObject*',
      's3:Abort*',
      's3:PutObjectLegalHold',
      's3:PutObjectRetention',
      's3:PutObjectTagging',
      's3:PutObjectVersionTagging',
    ],
    resource: 'arn:aws:s3:::*/*',
    why: "CDK's bucket.grantReadWrite of the prefixes the job writes (bad_data/, results/, the TempDir): read, delete, abort, legal hold, retention and tagging come with it",
  },
  {
    actions: ['secretsmanager:DescribeSecret'],
    why: "CDK's secret.grantRead grants it with secretsmanager:GetSecretValue",
  },
  {
    principal: 'Glue job and crawlers',
    actions: ['kms:Encrypt', 'kms:ReEncrypt*'],
    why: "CDK's key.grantEncryptDecrypt on the security configuration's key: Glue's calls need only GenerateDataKey and Decrypt",
  },
  {
    actions: ['lambda:InvokeFunction'],
    resource: 'arn:aws:lambda:*:*:function:*:*',
    why: "CDK's function.grantInvoke adds the function's qualified ARNs (versions, aliases); the callers invoke the unqualified one",
  },
  {
    principal: 'schema provider onTimeout',
    actions: ['lambda:InvokeFunction', 'lambda:GetFunction'],
    why: "CDK's provider grants onTimeout the user's handler like onEvent; it calls nothing (calls.ts)",
  },
  {
    principal: 'schema waiter',
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    resource: '*',
    why: "CDK's waiter state machine grants them with its log delivery actions; Step Functions delivers the logs through CloudWatch Logs' vended logs",
  },
];

/**
 * Pairs IAM never applies: an action on a resource of another type (a statement granting
 * s3:GetObject* and s3:ListBucket on both a bucket and its objects). Only names that say their
 * type are judged; anything else (s3:*, s3:Put*) counts on every resource.
 */
export function inert(action: string, resource: string): boolean {
  const [service, name = ''] = action.split(':');
  const literal = name.replace(/[*?].*$/, '');
  if (service === 's3' && resource.startsWith('arn:aws:s3:::')) {
    const isObject = resource.slice('arn:aws:s3:::'.length).includes('/');
    const objectAction = /Object|^Abort|^ListMultipartUploadParts/.test(literal);
    const bucketAction = /Bucket/.test(literal);
    return isObject ? bucketAction && !objectAction : objectAction && !bucketAction;
  }
  if (service === 'states' && resource.includes(':states:')) {
    const onExecution = ['DescribeExecution', 'GetExecutionHistory', 'StopExecution'].includes(name);
    const onStateMachine = ['ListExecutions', 'StartExecution', 'DescribeStateMachine'].includes(name);
    return resource.includes(':execution:')
      ? onStateMachine
      : resource.includes(':stateMachine:') && onExecution;
  }
  return false;
}

/** Every (action, resource) pair the role's own identity policies allow; a statement with NotAction or NotResource is one pair naming it. */
export function grants(p: Principal): Grant[] {
  if (p.kind !== 'role') return [];
  const out: Grant[] = [];
  const list = (v: unknown): string[] =>
    v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)];
  for (const { name, policy } of p.world.identityPolicies(p.roleId)) {
    if (name.startsWith('arn:aws:iam::aws:policy/')) continue;
    for (const s of policy.Statement) {
      if (s.Effect !== 'Allow') continue;
      if (s.NotAction !== undefined || s.NotResource !== undefined) {
        out.push({ principal: p.name, policy: name, action: '(NotAction/NotResource)', resource: '*' });
        continue;
      }
      for (const action of list(s.Action))
        for (const resource of list(s.Resource))
          if (!inert(action, resource)) out.push({ principal: p.name, policy: name, action, resource });
    }
  }
  return out;
}

/** Whether an allowed call of the principal uses the grant: its action matches, and one of its resources. */
export function used(g: Grant, allowed: readonly Call[]): boolean {
  const action = iamPattern(g.action, 'i');
  const resource = iamPattern(g.resource);
  return allowed.some(
    (c) =>
      c.principal === g.principal &&
      action.test(c.action) &&
      (typeof c.resource === 'string' ? [c.resource] : c.resource).some((r) => resource.test(r)),
  );
}

export function allowance(g: Grant): (typeof UNUSED_GRANT_ALLOWANCES)[number] | undefined {
  return UNUSED_GRANT_ALLOWANCES.find(
    (a) =>
      (a.principal === undefined || a.principal === g.principal) &&
      a.actions.includes(g.action) &&
      (a.resource === undefined || iamPattern(a.resource).test(g.resource)),
  );
}
