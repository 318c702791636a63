/**
 * The local twin's names, as the defaults of the commands that reach it unless told otherwise
 * (`movies bot`, `movies query`). The bot's own configuration has none: a deployed bot missing a
 * setting says which, rather than talking to the twin's state machine.
 */
import { TOPIC_NAMES } from '../contract/lake.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION, LOCAL_STATE_MACHINE_ARN } from '../local-aws/names.ts';

/** The environment points the AWS SDK at a twin on this machine (so the twin's names may fill in). */
export function pointsAtTwin(env: NodeJS.ProcessEnv): boolean {
  return /^https?:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/?$/.test(env.AWS_ENDPOINT_URL?.trim() ?? '');
}

/** `env`, with `defaults` for the variables it leaves unset or blank. */
export function withDefaults(env: NodeJS.ProcessEnv, defaults: Record<string, string>): NodeJS.ProcessEnv {
  const filled = { ...env };
  for (const [name, value] of Object.entries(defaults)) if (!env[name]?.trim()) filled[name] = value;
  return filled;
}

/** `env`, with the twin's region, state machine and topics where it names none. */
export function withTwinDefaults(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const region = env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || LOCAL_REGION;
  return withDefaults(env, {
    AWS_REGION: region,
    MOVIES_STATE_MACHINE_ARN: LOCAL_STATE_MACHINE_ARN,
    MOVIES_TOPIC_ARNS: Object.values(TOPIC_NAMES)
      .map((t) => `arn:aws:sns:${region}:${LOCAL_ACCOUNT}:${t}`)
      .join(','),
  });
}
