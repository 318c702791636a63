/**
 * The resources the IAM tests start from, found by what the template wires together rather than
 * by logical ids: the pipeline's state machine and the rule that starts it, the bot's function,
 * the Glue job, the schema custom resource with CDK's provider framework around our handler, and
 * the custom resources CDK's own deploy-time handlers serve (with a fixed bucket name, the bucket's
 * name check too).
 */
import { BOT_FUNCTION_NAME } from '../../../infra/constructs/bot.ts';
import { PIPELINE_NAME } from '../../../contract/lake.ts';
import { World, type Json } from './world.ts';

export interface Wiring {
  /** The pipeline's state machine. */
  readonly pipeline: string;
  /** The EventBridge rule that starts it, and that target of the rule. */
  readonly rule: string;
  readonly ruleTarget: Json;
  /** The bucket the rule watches: the data lake. */
  readonly lake: string;
  readonly bot: string;
  readonly job: string;
  readonly schema: {
    readonly resource: string;
    /** CDK's provider: onEvent (the service token) and isComplete call our handler; the waiter calls isComplete and onTimeout. */
    readonly onEvent: string;
    readonly handler: string;
    readonly waiter: string;
    readonly isComplete: string;
    readonly onTimeout: string;
  };
  /** The S3 prefix list the warehouse's egress to S3 names: an AwsCustomResource looks it up, served by CDK's singleton function. */
  readonly prefixList: { readonly resource: string; readonly handler: string; readonly egress: string };
  /** The notification configuration of the bucket the pipeline watches, set by CDK's handler. */
  readonly bucketNotifications: { readonly resource: string; readonly handler: string };
  /** The OIDC provider the GitHub roles trust, created by CDK's handler. */
  readonly oidcProvider: { readonly resource: string; readonly handler: string };
  /** Only with a fixed bucket name (context bucketName): the name check, CDK's provider (onEvent only) around our handler. */
  readonly nameCheck?: { readonly resource: string; readonly onEvent: string; readonly handler: string };
}

const cache = new WeakMap<World, Wiring>();

export function wiring(w: World): Wiring {
  const known = cache.get(w);
  if (known) return known;
  const pipeline = w.one('AWS::StepFunctions::StateMachine', (p) => p.StateMachineName === PIPELINE_NAME);
  const targets = (p: Json): Json[] =>
    ((p.Targets as Json[] | undefined) ?? []).filter((t) => World.target(t.Arn) === pipeline);
  const rule = w.one('AWS::Events::Rule', (p) => targets(p).length > 0, 'rule starting the pipeline');
  const resource = w.one('Custom::MoviesSchema');
  const onEvent = World.target(w.resource(resource).Properties!.ServiceToken)!;
  const variable = (fn: string, name: string): string | undefined =>
    World.target(
      ((w.resource(fn).Properties?.Environment as Json | undefined)?.Variables as Json | undefined)?.[name],
    );
  const handler = variable(onEvent, 'USER_ON_EVENT_FUNCTION_ARN');
  const waiter = variable(onEvent, 'WAITER_STATE_MACHINE_ARN');
  if (!handler || !waiter) throw new Error('The schema provider does not name its handler and waiter.');
  const served = (id: string): string => {
    const fn = World.target(w.resource(id).Properties?.ServiceToken);
    if (!fn || w.resource(fn).Type !== 'AWS::Lambda::Function')
      throw new Error(`${id}'s ServiceToken does not name a function of this stack.`);
    return fn;
  };
  const egress = w.one(
    'AWS::EC2::SecurityGroupEgress',
    (p) => {
      const list = World.target(p.DestinationPrefixListId);
      return list !== undefined && w.resource(list).Type === 'Custom::AWS';
    },
    'egress to a prefix list looked up at deploy',
  );
  const prefixList = World.target(w.resource(egress).Properties!.DestinationPrefixListId)!;
  const eventPattern = w.resource(rule).Properties!.EventPattern as {
    detail: { bucket: { name: unknown[] } };
  };
  const lake = World.target(eventPattern.detail.bucket.name[0]);
  if (!lake || w.resource(lake).Type !== 'AWS::S3::Bucket')
    throw new Error('The rule starting the pipeline does not watch a bucket of this stack.');
  const notifications = w.one(
    'Custom::S3BucketNotifications',
    (p) => World.target(p.BucketName) === lake,
    'notifications of the bucket the pipeline watches',
  );
  const dropRole = World.target(w.template.Outputs?.GitHubDropRoleArn?.Value);
  const trust = dropRole
    ? ((w.resource(dropRole).Properties?.AssumeRolePolicyDocument as Json | undefined)?.Statement as Json[])
    : [];
  const oidc = World.target((trust[0]?.Principal as Json | undefined)?.Federated);
  if (!oidc || w.resource(oidc).Type !== 'Custom::AWSCDKOpenIdConnectProvider')
    throw new Error('The GitHub drop role does not trust an OIDC provider this stack creates.');
  const nameCheck = ((): Wiring['nameCheck'] => {
    if (!w.ids('Custom::MoviesBucketNameCheck').length) return undefined;
    const check = w.one('Custom::MoviesBucketNameCheck');
    const checkOnEvent = served(check);
    const checkHandler = variable(checkOnEvent, 'USER_ON_EVENT_FUNCTION_ARN');
    if (!checkHandler) throw new Error('The bucket-name check provider does not name its handler.');
    return { resource: check, onEvent: checkOnEvent, handler: checkHandler };
  })();
  const step = (name: string): string =>
    w.one(
      'AWS::Lambda::Function',
      (p, id) =>
        p.Handler === `framework.${name}` &&
        id !== onEvent &&
        variable(id, 'USER_ON_EVENT_FUNCTION_ARN') === handler,
      `schema provider ${name}`,
    );
  const found: Wiring = {
    pipeline,
    rule,
    ruleTarget: targets(w.resource(rule).Properties!)[0]!,
    lake,
    bot: w.one('AWS::Lambda::Function', (p) => p.FunctionName === BOT_FUNCTION_NAME, 'bot function'),
    job: w.one('AWS::Glue::Job'),
    schema: {
      resource,
      onEvent,
      handler,
      waiter,
      isComplete: step('isComplete'),
      onTimeout: step('onTimeout'),
    },
    prefixList: { resource: prefixList, handler: served(prefixList), egress },
    bucketNotifications: { resource: notifications, handler: served(notifications) },
    oidcProvider: { resource: oidc, handler: served(oidc) },
    ...(nameCheck ? { nameCheck } : {}),
  };
  cache.set(w, found);
  return found;
}
