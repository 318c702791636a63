/**
 * Who calls AWS at run time, each found in the template by what it is wired to (the state
 * machine's RoleArn, the Glue job's Role, the bot function's Role, the stack outputs the Action is
 * configured with, ...), never by a logical id that a refactoring would change.
 */
import { BOT_FUNCTION_NAME } from '../../../infra/constructs/bot.ts';
import { PIPELINE_NAME } from '../../../infra/local/names.ts';
import { REGION, World, type Json } from './world.ts';

export const PRINCIPALS = [
  'state machine',
  'Glue job and crawlers',
  'bot Lambda',
  'GitHub drop role',
  'GitHub read role',
  'EventBridge target role',
  'schema handler',
  'schema provider onEvent',
  'schema provider isComplete',
  'schema waiter',
  'VPC flow logs role',
  'events.amazonaws.com',
  'sns.amazonaws.com',
  `logs.${REGION}.amazonaws.com`,
  'anyone (Slack)',
] as const;
export type PrincipalName = (typeof PRINCIPALS)[number];

export type Principal =
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
  | { readonly kind: 'anonymous'; readonly name: PrincipalName };

export function findPrincipals(w: World): Record<PrincipalName, Principal> {
  const pipeline = w.one('AWS::StepFunctions::StateMachine', (p) => p.StateMachineName === PIPELINE_NAME);
  const job = w.one('AWS::Glue::Job');
  const bot = w.one('AWS::Lambda::Function', (p) => p.FunctionName === BOT_FUNCTION_NAME, 'bot function');
  const output = (name: string): string => {
    const v = w.template.Outputs?.[name]?.Value;
    const id = World.target(v);
    if (!id) throw new Error(`The stack has no output ${name} naming a resource.`);
    return id;
  };
  const rule = w.one('AWS::Events::Rule', (p) =>
    ((p.Targets as Json[] | undefined) ?? []).some((t) => World.target(t.Arn) === pipeline),
  );
  const target = ((w.resource(rule).Properties!.Targets as Json[]) ?? []).find(
    (t) => World.target(t.Arn) === pipeline,
  )!;
  const eventsRole = World.target(target.RoleArn)!;
  // The schema: the custom resource's provider (onEvent) calls our handler, named in its environment.
  const schema = w.one('Custom::MoviesSchema');
  const onEvent = World.target(w.resource(schema).Properties!.ServiceToken)!;
  const variable = (fn: string, name: string): string => {
    const vars = (w.resource(fn).Properties?.Environment as Json | undefined)?.Variables as Json | undefined;
    const id = World.target(vars?.[name]);
    if (!id) throw new Error(`${fn} has no ${name} naming a resource.`);
    return id;
  };
  const handler = variable(onEvent, 'USER_ON_EVENT_FUNCTION_ARN');
  const waiter = variable(onEvent, 'WAITER_STATE_MACHINE_ARN');
  const framework = (step: string): string =>
    w.one(
      'AWS::Lambda::Function',
      (p, id) =>
        p.Handler === `framework.${step}` &&
        id !== onEvent &&
        World.target(
          ((p.Environment as Json | undefined)?.Variables as Json | undefined)?.USER_ON_EVENT_FUNCTION_ARN,
        ) === handler,
      `schema provider ${step}`,
    );
  const flowLog = w.one('AWS::EC2::FlowLog');

  const role = (name: PrincipalName, roleId: string, session: string): Principal => {
    const roleArn = w.getAtt(roleId, 'Arn');
    return {
      kind: 'role',
      name,
      roleId,
      roleArn,
      sessionArn: roleArn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/') + `/${session}`,
      userId: `${w.getAtt(roleId, 'RoleId')}:${session}`,
    };
  };
  const service = (name: PrincipalName): Principal => ({ kind: 'service', name, service: name });
  return {
    'state machine': role('state machine', w.roleOf(pipeline, 'RoleArn'), 'states-execution'),
    'Glue job and crawlers': role('Glue job and crawlers', w.roleOf(job, 'Role'), 'GlueJobRunnerSession'),
    'bot Lambda': role('bot Lambda', w.roleOf(bot, 'Role'), BOT_FUNCTION_NAME),
    'GitHub drop role': role('GitHub drop role', output('GitHubDropRoleArn'), 'GitHubActions'),
    'GitHub read role': role('GitHub read role', output('GitHubReadRoleArn'), 'GitHubActions'),
    'EventBridge target role': role('EventBridge target role', eventsRole, 'events-target'),
    'schema handler': role('schema handler', w.roleOf(handler, 'Role'), w.ref(handler)),
    'schema provider onEvent': role('schema provider onEvent', w.roleOf(onEvent, 'Role'), w.ref(onEvent)),
    'schema provider isComplete': role(
      'schema provider isComplete',
      w.roleOf(framework('isComplete'), 'Role'),
      'isComplete',
    ),
    'schema waiter': role('schema waiter', w.roleOf(waiter, 'RoleArn'), 'states-execution'),
    'VPC flow logs role': role(
      'VPC flow logs role',
      World.target(w.resource(flowLog).Properties!.DeliverLogsPermissionArn)!,
      'flow-logs',
    ),
    'events.amazonaws.com': service('events.amazonaws.com'),
    'sns.amazonaws.com': service('sns.amazonaws.com'),
    [`logs.${REGION}.amazonaws.com`]: service(`logs.${REGION}.amazonaws.com`),
    'anyone (Slack)': { kind: 'anonymous', name: 'anyone (Slack)' },
  } as Record<PrincipalName, Principal>;
}
