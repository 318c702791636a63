/**
 * The resources the IAM tests start from, found by what the template wires together rather than
 * by logical ids: the pipeline's state machine and the rule that starts it, the bot's function,
 * the Glue job, and the schema custom resource with CDK's provider framework around our handler.
 */
import { BOT_FUNCTION_NAME } from '../../../infra/constructs/bot.ts';
import { PIPELINE_NAME } from '../../../infra/local/names.ts';
import { World, type Json } from './world.ts';

export interface Wiring {
  /** The pipeline's state machine. */
  readonly pipeline: string;
  /** The EventBridge rule that starts it, and that target of the rule. */
  readonly rule: string;
  readonly ruleTarget: Json;
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
  };
  cache.set(w, found);
  return found;
}
