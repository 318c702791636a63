/**
 * One call, evaluated by @cloud-copilot/iam-simulate (a dev dependency, AGPL: only tests import it)
 * against the caller's identity policies and the resource's own policy, both from the template that
 * deploys the caller, as AWS evaluates a request in one account: no SCPs, no RCPs, no permission
 * boundary, no session policy.
 */
import { runSimulation, type EvaluationResult, type RequestAnalysis } from '@cloud-copilot/iam-simulate';

type StatementAnalysis = NonNullable<RequestAnalysis['identityAnalysis']>['allowStatements'][number];
import type { Principal, PrincipalName } from './principals.ts';
import { ACCOUNT, REGION } from './world.ts';

export interface Call {
  readonly principal: PrincipalName;
  /** The IAM action (not the SDK command: UploadPart is s3:PutObject). */
  readonly action: string;
  /** The resource ARN, or '*' for actions without resource-level permissions; several when the action needs each. */
  readonly resource: string | readonly string[];
  /** Condition keys of the request beyond the caller's own (aws:SourceArn, kms:ViaService, ...). */
  readonly context?: Readonly<Record<string, string | string[]>>;
  /** What makes the call, or why it must be refused. */
  readonly why: string;
}

export interface Verdict {
  readonly call: Call;
  readonly result: EvaluationResult;
  /** One line per resource evaluated, naming the decisive statements. */
  readonly detail: string[];
}

/** The condition keys AWS sets from who calls, over TLS, in the stack's region. */
function callerContext(p: Principal): Record<string, string> {
  const base = { 'aws:SecureTransport': 'true', 'aws:RequestedRegion': REGION };
  if (p.kind === 'role')
    return {
      ...base,
      'aws:PrincipalArn': p.roleArn,
      'aws:PrincipalAccount': ACCOUNT,
      'aws:PrincipalType': 'AssumedRole',
      'aws:userid': p.userId,
    };
  if (p.kind === 'service') return { ...base, 'aws:PrincipalServiceName': p.service };
  return base;
}

/**
 * AWS matches the resource part of an ARN (everything after the fifth colon) as one string with
 * wildcards, so AWSGlueServiceRole's `arn:aws:logs:*:*:*:/aws-glue/*` covers the log groups and
 * streams under /aws-glue/. The simulator refuses a wildcard in the resource-type part and would
 * deny them all. Every CloudWatch Logs log group and stream ARN starts with `log-group:`, so the
 * statement is read as `arn:aws:logs:*:*:log-group:/aws-glue/*`: that only narrows a policy, so it
 * cannot hide a denial.
 */
export function narrowForSimulator<T>(policy: T): T {
  const narrow = (r: unknown): unknown =>
    typeof r === 'string' ? r.replace(/^(arn:[^:]*:logs:[^:]*:[^:]*:)\*:/, '$1log-group:') : r;
  const doc = policy as { Statement?: Record<string, unknown>[] };
  return {
    ...doc,
    Statement: (doc.Statement ?? []).map((s) =>
      s.Resource === undefined
        ? s
        : { ...s, Resource: Array.isArray(s.Resource) ? s.Resource.map(narrow) : narrow(s.Resource) },
    ),
  } as T;
}

export async function simulate(principals: Record<PrincipalName, Principal>, call: Call): Promise<Verdict> {
  const p = principals[call.principal];
  const w = p.world;
  const identityPolicies =
    p.kind === 'role'
      ? w.identityPolicies(p.roleId).map((i) => ({ ...i, policy: narrowForSimulator(i.policy) }))
      : [];
  const resources = typeof call.resource === 'string' ? [call.resource] : call.resource;
  const detail: string[] = [];
  let result: EvaluationResult = 'Allowed';
  for (const resource of resources) {
    const found = resource === '*' ? undefined : w.resourcePolicy(resource);
    const resourcePolicy = found && narrowForSimulator(found);
    const r = await runSimulation(
      {
        request: {
          principal:
            p.kind === 'role' ? p.sessionArn : p.kind === 'service' ? p.service : { type: 'Anonymous' },
          action: call.action,
          resource: { resource, accountId: ACCOUNT },
          contextVariables: { ...callerContext(p), ...call.context },
        },
        identityPolicies,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        ...(resourcePolicy ? { resourcePolicy } : {}),
      },
      { simulationMode: 'Strict' },
    );
    if (r.resultType === 'error')
      throw new Error(
        `${call.principal} ${call.action} on ${resource} cannot be simulated: ${r.errors.message} ${JSON.stringify(r.errors)}`,
      );
    const analysis = r.resultType === 'single' ? r.result.analysis : r.results[0]?.analysis;
    const named = (list: StatementAnalysis[], policy?: string): string =>
      list
        .map(
          (s) =>
            `${policy ?? s.policyId}${s.statement.sid() ? `#${s.statement.sid()}` : ` statement ${s.statement.index()}`}`,
        )
        .join(', ');
    const side = (
      what: string,
      a: StatementAnalysis[] = [],
      d: StatementAnalysis[] = [],
      policy?: string,
    ): string[] => [
      ...(a.length ? [`${what} allows by ${named(a, policy)}`] : []),
      ...(d.length ? [`${what} denies by ${named(d, policy)}`] : []),
    ];
    const identity = analysis?.identityAnalysis;
    const onResource = analysis?.resourceAnalysis;
    detail.push(
      [
        `${call.action} on ${resource}: ${r.overallResult}`,
        side('identity', identity?.allowStatements, identity?.denyStatements).join('; ') ||
          'no identity statement allows',
        resourcePolicy
          ? side(
              'resource policy',
              onResource?.allowStatements,
              onResource?.denyStatements,
              'resource policy',
            ).join('; ') || 'the resource policy neither allows nor denies'
          : 'no resource policy',
        ...(analysis?.blockedBy?.length ? [`blocked by ${analysis.blockedBy.join(', ')}`] : []),
      ].join('; '),
    );
    if (r.overallResult === 'ExplicitlyDenied') result = 'ExplicitlyDenied';
    else if (r.overallResult !== 'Allowed' && result === 'Allowed') result = r.overallResult;
  }
  return { call, result, detail };
}
