/**
 * The state machine definition exactly as the CDK app synthesizes it, with CloudFormation's
 * intrinsic functions (Fn::Join of strings and Ref/Fn::GetAtt tokens) resolved — the local
 * twin runs this, so what runs offline is what deploys.
 */

import { PIPELINE_NAME } from '../contract/lake.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './names.ts';

export type CfnTemplate = {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
};

export interface IntrinsicResolver {
  /** { Ref: id } for a resource or a pseudo parameter (AWS::Region, ...). */
  ref(logicalId: string): string;
  /** { Fn::GetAtt: [id, attribute] }. */
  getAtt(logicalId: string, attribute: string): string;
}

export const PSEUDO_PARAMETERS: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': LOCAL_REGION,
  'AWS::AccountId': LOCAL_ACCOUNT,
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'MoviesPipeline',
};

/** Names and ARNs derived from logical ids: enough for a definition that runs locally. */
const placeholderResolver: IntrinsicResolver = {
  ref: (id) => PSEUDO_PARAMETERS[id] ?? `local-${id}`,
  getAtt: (id, attribute) => `arn:aws:local:us-east-1:000000000000:${id}/${attribute}`,
};

export function resolveIntrinsics(value: unknown, r: IntrinsicResolver): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, r));
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1) {
    const [k] = keys as [string];
    const arg = obj[k];
    if (k === 'Ref') return r.ref(arg as string);
    if (k === 'Fn::GetAtt') {
      const [id, attr] = Array.isArray(arg)
        ? (arg as [string, string])
        : (String(arg).split('.') as [string, string]);
      return r.getAtt(id, attr);
    }
    if (k === 'Fn::Join') {
      const [sep, parts] = arg as [string, unknown[]];
      return parts.map((p) => String(resolveIntrinsics(p, r))).join(sep);
    }
    if (k === 'Fn::Select') {
      const [index, list] = arg as [number, unknown];
      return (resolveIntrinsics(list, r) as unknown[])[index];
    }
    if (k === 'Fn::Split') {
      const [sep, text] = arg as [string, unknown];
      return String(resolveIntrinsics(text, r)).split(sep);
    }
    if (k.startsWith('Fn::'))
      throw new Error(`The template uses ${k}, which the local twin does not resolve.`);
  }
  return Object.fromEntries(keys.map((k) => [k, resolveIntrinsics(obj[k], r)]));
}

/** The logical id of the pipeline's state machine in a template (CDK's own waiters aside). */
function stateMachineLogicalId(template: CfnTemplate): string {
  const ids = Object.entries(template.Resources)
    .filter(
      ([, res]) =>
        res.Type === 'AWS::StepFunctions::StateMachine' && res.Properties?.StateMachineName === PIPELINE_NAME,
    )
    .map(([id]) => id);
  if (ids.length !== 1)
    throw new Error(
      `Expected one state machine named ${PIPELINE_NAME} in the template, found ${ids.length}.`,
    );
  return ids[0]!;
}

/** The resolved ASL of the template's state machine. */
export function stateMachineDefinition(
  template: CfnTemplate,
  resolver: IntrinsicResolver = placeholderResolver,
): Record<string, unknown> {
  const props = template.Resources[stateMachineLogicalId(template)]!.Properties!;
  const text = resolveIntrinsics(props.DefinitionString, resolver);
  return JSON.parse(String(text)) as Record<string, unknown>;
}
