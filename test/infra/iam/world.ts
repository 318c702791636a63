/**
 * The synthesized stack (account 123456789012, eu-west-1) as concrete AWS resources: what remains
 * of CloudFormation (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::Split) resolved to fake
 * but well-formed names and ARNs, the principals found by what the template wires them to, and
 * for each principal its identity policies and for each resource its resource policy.
 */
import { createHash } from 'node:crypto';
import { stateMachineDefinition, type IntrinsicResolver } from '../../../local-aws/asl.ts';
import { AWS_MANAGED_POLICIES, type PolicyDocument } from './aws-managed-policies.ts';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
const STACK = 'MoviesPipeline';

export type Json = Record<string, unknown>;
export interface CfnResource {
  Type: string;
  Properties?: Json;
}
export interface Template {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown }>;
}

const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': REGION,
  'AWS::AccountId': ACCOUNT,
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': STACK,
  'AWS::StackId': `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${STACK}/5d1e7a40-3c2b-11f0-9f6e-0a1b2c3d4e5f`,
};

/** A stable fake identifier for a logical id: the same id always gets the same value. */
function fake(id: string, length: number, alphabet = '0123456789abcdef'): string {
  const digest = createHash('sha256').update(id).digest();
  return Array.from({ length }, (_, i) => alphabet[digest[i % digest.length]! % alphabet.length]).join('');
}
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
function uuid(id: string): string {
  const h = fake(id, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const arn = (service: string, resource: string, region = REGION, account = ACCOUNT): string =>
  `arn:aws:${service}:${region}:${account}:${resource}`;

export class World implements IntrinsicResolver {
  constructor(readonly template: Template) {}

  // --- CloudFormation, resolved ---

  resource(id: string): CfnResource {
    const r = this.template.Resources[id];
    if (!r) throw new Error(`The template has no resource ${id}.`);
    return r;
  }

  private prop(id: string, name: string): string | undefined {
    const v = this.resource(id).Properties?.[name];
    return v === undefined ? undefined : String(this.resolve(v));
  }

  /** What { Ref: id } gives, by resource type (as CloudFormation documents it). */
  ref(id: string): string {
    if (id in PSEUDO) return PSEUDO[id]!;
    const r = this.resource(id);
    const generated = `${STACK}-${id}`.slice(0, 64);
    switch (r.Type) {
      case 'AWS::S3::Bucket':
        return this.prop(id, 'BucketName') ?? id.toLowerCase();
      case 'AWS::SNS::Topic':
        return arn('sns', this.prop(id, 'TopicName') ?? generated);
      case 'AWS::SQS::Queue':
        return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${this.prop(id, 'QueueName') ?? generated}`;
      case 'AWS::StepFunctions::StateMachine':
        return arn('states', `stateMachine:${this.prop(id, 'StateMachineName') ?? generated}`);
      case 'AWS::SecretsManager::Secret':
        // CloudFormation names a secret <id>-<random>; Secrets Manager's ARN adds -<6 random>.
        return arn(
          'secretsmanager',
          `secret:${this.prop(id, 'Name') ?? `${id}-${fake(id, 12, ALNUM)}`}-${fake(`${id}/arn`, 6, ALNUM)}`,
        );
      case 'AWS::IAM::Role':
        return this.prop(id, 'RoleName') ?? generated;
      case 'AWS::IAM::ManagedPolicy':
        return `arn:aws:iam::${ACCOUNT}:policy/${this.prop(id, 'ManagedPolicyName') ?? generated}`;
      case 'AWS::Lambda::Function':
        return this.prop(id, 'FunctionName') ?? generated;
      case 'AWS::KMS::Key':
        return uuid(id);
      case 'AWS::Logs::LogGroup':
        return this.prop(id, 'LogGroupName') ?? generated;
      case 'AWS::Events::Rule':
        return this.prop(id, 'Name') ?? generated;
      case 'AWS::RedshiftServerless::Workgroup':
        return this.prop(id, 'WorkgroupName') ?? generated;
      case 'AWS::RedshiftServerless::Namespace':
        return this.prop(id, 'NamespaceName') ?? generated;
      case 'AWS::Glue::Database':
        return String(this.resolve((r.Properties?.DatabaseInput as Json | undefined)?.Name ?? generated));
      case 'AWS::Glue::Connection':
        return String(this.resolve((r.Properties?.ConnectionInput as Json | undefined)?.Name ?? generated));
      case 'Custom::AWSCDKOpenIdConnectProvider':
        return `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
      default:
        if (r.Type.startsWith('AWS::Glue::')) return this.prop(id, 'Name') ?? generated;
        if (r.Type.startsWith('AWS::EC2::')) {
          const kind = r.Type.slice('AWS::EC2::'.length);
          const prefix = { VPC: 'vpc', Subnet: 'subnet', SecurityGroup: 'sg', RouteTable: 'rtb' }[kind];
          if (prefix) return `${prefix}-${fake(id, 17)}`;
        }
        return id;
    }
  }

  /** What { "Fn::GetAtt": [id, attribute] } gives; an attribute not known here throws, so it is added on purpose. */
  getAtt(id: string, attribute: string): string {
    const r = this.resource(id);
    const key = `${r.Type}.${attribute}`;
    switch (key) {
      case 'AWS::S3::Bucket.Arn':
        return `arn:aws:s3:::${this.ref(id)}`;
      case 'AWS::IAM::Role.Arn':
        return `arn:aws:iam::${ACCOUNT}:role/${this.ref(id)}`;
      case 'AWS::IAM::Role.RoleId':
        return `AROA${fake(id, 17, UPPER)}`;
      case 'AWS::Lambda::Function.Arn':
        return arn('lambda', `function:${this.ref(id)}`);
      case 'AWS::Lambda::Url.FunctionUrl':
        return `https://${fake(id, 32, 'abcdefghijklmnopqrstuvwxyz0123456789')}.lambda-url.${REGION}.on.aws/`;
      case 'AWS::KMS::Key.Arn':
        return arn('kms', `key/${this.ref(id)}`);
      case 'AWS::SQS::Queue.Arn':
        return arn('sqs', this.ref(id).split('/').pop()!);
      case 'AWS::Events::Rule.Arn':
        return arn('events', `rule/${this.ref(id)}`);
      case 'AWS::Logs::LogGroup.Arn':
        return arn('logs', `log-group:${this.ref(id)}:*`);
      case 'AWS::StepFunctions::StateMachine.Arn':
        return this.ref(id);
      case 'AWS::StepFunctions::StateMachine.Name':
        return this.ref(id).split(':').pop()!;
      case 'AWS::SNS::Topic.TopicArn':
        return this.ref(id);
      case 'AWS::RedshiftServerless::Workgroup.Workgroup.WorkgroupArn':
        return arn('redshift-serverless', `workgroup/${uuid(id)}`);
      case 'AWS::RedshiftServerless::Workgroup.Workgroup.Endpoint.Address':
        return `${this.ref(id)}.${ACCOUNT}.${REGION}.redshift-serverless.amazonaws.com`;
      case 'AWS::RedshiftServerless::Namespace.Namespace.NamespaceArn':
        return arn('redshift-serverless', `namespace/${uuid(id)}`);
      case 'AWS::EC2::SecurityGroup.GroupId':
        return this.ref(id);
      case 'AWS::EC2::VPC.CidrBlock':
        return '10.0.0.0/16';
      default:
        throw new Error(
          `The IAM tests do not know what Fn::GetAtt ${key} gives; add it to test/infra/iam/world.ts.`,
        );
    }
  }

  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v)).filter((v) => v !== NO_VALUE);
    if (value === null || typeof value !== 'object') return value;
    const obj = value as Json;
    const keys = Object.keys(obj);
    if (keys.length === 1) {
      const k = keys[0]!;
      const arg = obj[k];
      if (k === 'Ref') return arg === 'AWS::NoValue' ? NO_VALUE : this.ref(String(arg));
      if (k === 'Fn::GetAtt') {
        const [id, ...attr] = Array.isArray(arg) ? (arg as string[]) : String(arg).split('.');
        return this.getAtt(id!, attr.join('.'));
      }
      if (k === 'Fn::Join') {
        const [sep, parts] = arg as [string, unknown[]];
        return (this.resolve(parts) as unknown[]).map(String).join(sep);
      }
      if (k === 'Fn::Select') {
        const [index, list] = arg as [number | string, unknown];
        return (this.resolve(list) as unknown[])[Number(index)];
      }
      if (k === 'Fn::Split') {
        const [sep, text] = arg as [string, unknown];
        return String(this.resolve(text)).split(sep);
      }
      if (k === 'Fn::GetAZs') return ['a', 'b', 'c'].map((z) => `${REGION}${z}`);
      if (k === 'Fn::Sub') {
        const [text, vars] = Array.isArray(arg) ? (arg as [string, Json]) : [String(arg), {}];
        return text.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
          if (name in vars) return String(this.resolve(vars[name]));
          if (name in PSEUDO) return PSEUDO[name]!;
          const [id, ...attr] = name.split('.');
          return attr.length ? this.getAtt(id!, attr.join('.')) : this.ref(id!);
        });
      }
      if (k.startsWith('Fn::'))
        throw new Error(`The IAM tests do not resolve ${k}; add it to test/infra/iam/world.ts.`);
    }
    const out: Json = {};
    for (const key of keys) {
      const v = this.resolve(obj[key]);
      if (v !== NO_VALUE) out[key] = v;
    }
    return out;
  }

  // --- finding resources by what they are wired to ---

  /** Logical ids of the resources of a type whose properties satisfy `match`. */
  ids(type: string, match: (props: Json, id: string) => boolean = () => true): string[] {
    return Object.entries(this.template.Resources)
      .filter(([id, r]) => r.Type === type && match(r.Properties ?? {}, id))
      .map(([id]) => id);
  }

  /** The one resource of a type whose properties satisfy `match`. */
  one(type: string, match: (props: Json, id: string) => boolean = () => true, what = type): string {
    const ids = this.ids(type, match);
    if (ids.length !== 1) throw new Error(`Expected one ${what} in the template, found ${ids.length}.`);
    return ids[0]!;
  }

  /** The logical id a { Ref } or { Fn::GetAtt } names. */
  static target(value: unknown): string | undefined {
    if (value && typeof value === 'object') {
      const v = value as Json;
      if (typeof v.Ref === 'string') return v.Ref;
      const att = v['Fn::GetAtt'];
      if (Array.isArray(att)) return String(att[0]);
      if (typeof att === 'string') return att.split('.')[0];
    }
    return undefined;
  }

  /** Every logical id referenced anywhere inside a value. */
  static referenced(value: unknown, out = new Set<string>()): Set<string> {
    if (Array.isArray(value)) for (const v of value) World.referenced(v, out);
    else if (value && typeof value === 'object') {
      const t = World.target(value);
      if (t) {
        if (!(t in PSEUDO)) out.add(t);
      } else for (const v of Object.values(value as Json)) World.referenced(v, out);
    }
    return out;
  }

  /** The role a resource's property names (a Lambda's Role, a state machine's RoleArn, ...). */
  roleOf(id: string, property: string): string {
    const role = World.target(this.resource(id).Properties?.[property]);
    if (!role || this.resource(role).Type !== 'AWS::IAM::Role')
      throw new Error(`${id}.${property} does not name a role of this stack.`);
    return role;
  }

  /** A Lambda function's environment variable, resolved. */
  env(functionId: string, name: string): string {
    const vars = (this.resource(functionId).Properties?.Environment as Json | undefined)?.Variables as
      Json | undefined;
    if (!vars || !(name in vars)) throw new Error(`${functionId} has no environment variable ${name}.`);
    return String(this.resolve(vars[name]));
  }

  /** The resolved ASL of the pipeline's state machine. */
  definition(): Json {
    return stateMachineDefinition(this.template as never, this);
  }

  // --- principals' policies ---

  /** The identity policies of a role: inline, attached AWS::IAM::Policy, customer and AWS managed. */
  identityPolicies(roleId: string): { name: string; policy: PolicyDocument }[] {
    const role = this.resource(roleId);
    const names = (roles: unknown): string[] =>
      Array.isArray(roles) ? roles.map((r) => World.target(r)!) : [];
    const out: { name: string; policy: PolicyDocument }[] = [];
    for (const p of (role.Properties?.Policies as Json[] | undefined) ?? [])
      out.push({
        name: `${roleId}/${String(p.PolicyName)}`,
        policy: this.resolve(p.PolicyDocument) as PolicyDocument,
      });
    for (const id of this.ids('AWS::IAM::Policy', (p) => names(p.Roles).includes(roleId)))
      out.push({
        name: id,
        policy: this.resolve(this.resource(id).Properties!.PolicyDocument) as PolicyDocument,
      });
    const managed = new Set((this.resolve(role.Properties?.ManagedPolicyArns ?? []) as string[]).map(String));
    for (const id of this.ids('AWS::IAM::ManagedPolicy', (p) => names(p.Roles).includes(roleId)))
      managed.add(this.ref(id));
    for (const policyArn of managed) {
      const own = this.ids('AWS::IAM::ManagedPolicy').find((id) => this.ref(id) === policyArn);
      if (own) {
        out.push({
          name: own,
          policy: this.resolve(this.resource(own).Properties!.PolicyDocument) as PolicyDocument,
        });
        continue;
      }
      const fixture = AWS_MANAGED_POLICIES[policyArn];
      if (!fixture)
        throw new Error(
          `${roleId} has the AWS managed policy ${policyArn}, whose document the IAM tests do not hold: add it to test/infra/iam/aws-managed-policies.ts.`,
        );
      out.push({ name: policyArn, policy: fixture });
    }
    return out;
  }

  /** The resource policy that decides with the identity policies for a resource ARN, if it has one. */
  resourcePolicy(resourceArn: string): PolicyDocument | undefined {
    const statements: Json[] = [];
    const add = (doc: unknown): void => void statements.push(...((doc as PolicyDocument).Statement ?? []));
    const [, , service] = resourceArn.split(':');
    if (service === 's3') {
      const bucket = resourceArn.slice('arn:aws:s3:::'.length).split('/')[0];
      for (const id of this.ids('AWS::S3::BucketPolicy', (p) => this.resolve(p.Bucket) === bucket))
        add(this.resolve(this.resource(id).Properties!.PolicyDocument));
    } else if (service === 'sns') {
      for (const id of this.ids('AWS::SNS::TopicPolicy', (p) =>
        (this.resolve(p.Topics) as string[]).includes(resourceArn),
      ))
        add(this.resolve(this.resource(id).Properties!.PolicyDocument));
    } else if (service === 'sqs') {
      const queues = this.ids('AWS::SQS::Queue', (_, id) => this.getAtt(id, 'Arn') === resourceArn).map(
        (id) => this.ref(id),
      );
      for (const id of this.ids('AWS::SQS::QueuePolicy', (p) =>
        (this.resolve(p.Queues) as string[]).some((q) => queues.includes(q)),
      ))
        add(this.resolve(this.resource(id).Properties!.PolicyDocument));
    } else if (service === 'kms') {
      for (const id of this.ids('AWS::KMS::Key', (_, id) => this.getAtt(id, 'Arn') === resourceArn))
        add(this.resolve(this.resource(id).Properties!.KeyPolicy));
    } else if (service === 'lambda') {
      const fn = resourceArn.split(':').slice(0, 7).join(':');
      for (const id of this.ids('AWS::Lambda::Permission', (p) => {
        const name = String(this.resolve(p.FunctionName));
        return name === fn || fn.endsWith(`:function:${name}`);
      }))
        statements.push(this.lambdaPermission(id, fn));
    } else if (service === 'secretsmanager') {
      for (const id of this.ids(
        'AWS::SecretsManager::ResourcePolicy',
        (p) => this.resolve(p.SecretId) === resourceArn,
      ))
        add(this.resolve(this.resource(id).Properties!.ResourcePolicy));
    }
    return statements.length ? { Version: '2012-10-17', Statement: statements } : undefined;
  }

  /** An AWS::Lambda::Permission as the statement Lambda adds to the function's resource policy. */
  private lambdaPermission(id: string, functionArn: string): Json {
    const p = this.resolve(this.resource(id).Properties) as Json;
    const principal = String(p.Principal);
    const condition: Record<string, Json> = {};
    const put = (op: string, key: string, value: unknown): void => {
      condition[op] = { ...condition[op], [key]: value };
    };
    if (p.SourceArn !== undefined) put('ArnLike', 'AWS:SourceArn', p.SourceArn);
    if (p.SourceAccount !== undefined) put('StringEquals', 'AWS:SourceAccount', p.SourceAccount);
    if (p.PrincipalOrgID !== undefined) put('StringEquals', 'aws:PrincipalOrgID', p.PrincipalOrgID);
    if (p.EventSourceToken !== undefined) put('StringEquals', 'lambda:EventSourceToken', p.EventSourceToken);
    if (p.FunctionUrlAuthType !== undefined)
      put('StringEquals', 'lambda:FunctionUrlAuthType', p.FunctionUrlAuthType);
    if (p.InvokedViaFunctionUrl === true || p.InvokedViaFunctionUrl === 'true')
      put('Bool', 'lambda:InvokedViaFunctionUrl', 'true');
    return {
      Sid: id,
      Effect: 'Allow',
      Principal:
        principal === '*'
          ? '*'
          : /^\d{12}$/.test(principal)
            ? { AWS: `arn:aws:iam::${principal}:root` }
            : principal.startsWith('arn:')
              ? { AWS: principal }
              : { Service: principal },
      Action: p.Action,
      Resource: functionArn,
      ...(Object.keys(condition).length ? { Condition: condition } : {}),
    };
  }
}

const NO_VALUE = Symbol('AWS::NoValue');
