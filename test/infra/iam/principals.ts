/**
 * Who calls AWS, at run time and at deploy (the custom resources' handlers), each found in the
 * template by what it is wired to (the state machine's RoleArn, the Glue job's Role, the bot
 * function's Role, the stack outputs the Action is configured with, a custom resource's
 * ServiceToken, ...), never by a logical id that a refactoring would change.
 */
import { BOT_FUNCTION_NAME } from '../../../infra/constructs/bot.ts';
import { wiring } from './wiring.ts';
import { REGION, World } from './world.ts';

export const PRINCIPALS = [
  'state machine',
  'Glue job and crawlers',
  'warehouse role (Redshift COPY)',
  'bot Lambda',
  'GitHub drop role',
  'GitHub read role',
  'EventBridge target role',
  'schema handler',
  'schema provider onEvent',
  'schema provider isComplete',
  'schema waiter',
  'schema provider onTimeout',
  'bucket-name check handler',
  'bucket-name check provider onEvent',
  'S3 prefix-list lookup',
  'bucket notifications handler',
  'GitHub OIDC provider handler',
  'VPC flow logs role',
  'events.amazonaws.com',
  'sns.amazonaws.com',
  `logs.${REGION}.amazonaws.com`,
  'anyone (Slack)',
] as const;
export type PrincipalName = (typeof PRINCIPALS)[number];

/**
 * The bucket-name check is in the template only when the deploy fixes the data-lake bucket's name
 * (context bucketName): its handler and provider are found in that synthesis (Lambda bundling off:
 * only the template is read), every other principal in the stack as configured by default.
 */
export const NAMED_BUCKET_CONTEXT = { bucketName: 'acme-movies-lake', 'aws:cdk:bundling-stacks': [] };

export type Principal = (
  | {
      readonly kind: 'role';
      readonly name: PrincipalName;
      readonly roleId: string;
      readonly roleArn: string;
      /** The assumed-role session the calls are signed with. */
      readonly sessionArn: string;
      /** aws:userid of the session: <role id>:<session name>. */
      readonly userId: string;
    }
  | { readonly kind: 'service'; readonly name: PrincipalName; readonly service: string }
  | { readonly kind: 'anonymous'; readonly name: PrincipalName }
) & {
  /** The synthesis whose template deploys it: its policies and the resources it calls are that template's. */
  readonly world: World;
};

/** Every principal: in `w`, the stack as configured by default, and the name check's in `namedBucket`. */
export function findPrincipals(w: World, namedBucket: World): Record<PrincipalName, Principal> {
  const { pipeline, ruleTarget, bot, job, schema, prefixList, bucketNotifications, oidcProvider } = wiring(w);
  const nameCheck = wiring(namedBucket).nameCheck;
  if (!nameCheck) throw new Error('The synthesis with a fixed bucket name has no bucket-name check.');
  const output = (name: string): string => {
    const id = World.target(w.template.Outputs?.[name]?.Value);
    if (!id) throw new Error(`The stack has no output ${name} naming a resource.`);
    return id;
  };
  const flowLog = w.one('AWS::EC2::FlowLog');
  // The role Redshift assumes for COPY: the one the namespace is given.
  const namespaceRoles = (w.resource(w.one('AWS::RedshiftServerless::Namespace')).Properties?.IamRoles ??
    []) as unknown[];
  if (namespaceRoles.length !== 1) throw new Error('Expected the namespace to have one IAM role.');

  const role = (name: PrincipalName, roleId: string, session: string, world = w): Principal => {
    const roleArn = world.getAtt(roleId, 'Arn');
    return {
      kind: 'role',
      name,
      roleId,
      roleArn,
      sessionArn: roleArn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/') + `/${session}`,
      userId: `${world.getAtt(roleId, 'RoleId')}:${session}`,
      world,
    };
  };
  /** A Lambda function's role, in a session named after the function. */
  const lambda = (name: PrincipalName, functionId: string, world = w): Principal =>
    role(name, world.roleOf(functionId, 'Role'), world.ref(functionId), world);
  const service = (name: PrincipalName): Principal => ({ kind: 'service', name, service: name, world: w });
  return {
    'state machine': role('state machine', w.roleOf(pipeline, 'RoleArn'), 'states-execution'),
    'Glue job and crawlers': role('Glue job and crawlers', w.roleOf(job, 'Role'), 'GlueJobRunnerSession'),
    'warehouse role (Redshift COPY)': role(
      'warehouse role (Redshift COPY)',
      World.target(namespaceRoles[0])!,
      'RedshiftIamRoleSession',
    ),
    'bot Lambda': role('bot Lambda', w.roleOf(bot, 'Role'), BOT_FUNCTION_NAME),
    'GitHub drop role': role('GitHub drop role', output('GitHubDropRoleArn'), 'GitHubActions'),
    'GitHub read role': role('GitHub read role', output('GitHubReadRoleArn'), 'GitHubActions'),
    'EventBridge target role': role(
      'EventBridge target role',
      World.target(ruleTarget.RoleArn)!,
      'events-target',
    ),
    'schema handler': role('schema handler', w.roleOf(schema.handler, 'Role'), w.ref(schema.handler)),
    'schema provider onEvent': role(
      'schema provider onEvent',
      w.roleOf(schema.onEvent, 'Role'),
      w.ref(schema.onEvent),
    ),
    'schema provider isComplete': role(
      'schema provider isComplete',
      w.roleOf(schema.isComplete, 'Role'),
      'isComplete',
    ),
    'schema waiter': role('schema waiter', w.roleOf(schema.waiter, 'RoleArn'), 'states-execution'),
    'schema provider onTimeout': lambda('schema provider onTimeout', schema.onTimeout),
    'bucket-name check handler': lambda('bucket-name check handler', nameCheck.handler, namedBucket),
    'bucket-name check provider onEvent': lambda(
      'bucket-name check provider onEvent',
      nameCheck.onEvent,
      namedBucket,
    ),
    'S3 prefix-list lookup': lambda('S3 prefix-list lookup', prefixList.handler),
    'bucket notifications handler': lambda('bucket notifications handler', bucketNotifications.handler),
    'GitHub OIDC provider handler': lambda('GitHub OIDC provider handler', oidcProvider.handler),
    'VPC flow logs role': role(
      'VPC flow logs role',
      World.target(w.resource(flowLog).Properties!.DeliverLogsPermissionArn)!,
      'flow-logs',
    ),
    'events.amazonaws.com': service('events.amazonaws.com'),
    'sns.amazonaws.com': service('sns.amazonaws.com'),
    [`logs.${REGION}.amazonaws.com`]: service(`logs.${REGION}.amazonaws.com`),
    'anyone (Slack)': { kind: 'anonymous', name: 'anyone (Slack)', world: w },
  } as Record<PrincipalName, Principal>;
}
