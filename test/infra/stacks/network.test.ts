/**
 * Where the warehouse's subnets land when CloudFormation deploys the template: Redshift Serverless
 * needs three subnets in three Availability Zones, and in us-west-1 (two zones) three subnets
 * over two. The template's AZ expressions are evaluated as CloudFormation would in each region.
 */
import { describe, expect, it } from '@jest/globals';
import type { CfnTemplate } from '../../../local-aws/asl.ts';
import { logicalId, synth, type EnvironmentName } from './synth.ts';

const ZONES: Record<string, string[]> = {
  'eu-west-1': ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
  'us-west-1': ['us-west-1a', 'us-west-1c'],
};

/** Just enough of CloudFormation's intrinsics to place subnets: Select, GetAZs, If, Equals, Or, Ref. */
function evaluate(
  json: CfnTemplate & { Conditions?: Record<string, unknown> },
  region: string,
  node: unknown,
): unknown {
  const ev = (n: unknown): unknown => evaluate(json, region, n);
  if (Array.isArray(node)) return node.map(ev);
  if (!node || typeof node !== 'object') return node;
  const [[fn, arg]] = Object.entries(node) as [[string, unknown]];
  switch (fn) {
    case 'Ref':
      if (arg === 'AWS::Region') return region;
      return `ref:${String(arg)}`;
    case 'Fn::GetAZs':
      return ZONES[region];
    case 'Fn::Select': {
      const [i, list] = arg as [number, unknown];
      const items = ev(list) as unknown[];
      if (i >= items.length) throw new Error(`Fn::Select index ${i} out of range in ${region}`);
      return items[i];
    }
    case 'Fn::If': {
      const [condition, yes, no] = arg as [string, unknown, unknown];
      return ev(ev(json.Conditions![condition]) ? yes : no);
    }
    case 'Fn::Equals': {
      const [a, b] = ev(arg) as [unknown, unknown];
      return a === b;
    }
    case 'Fn::Or':
      return (ev(arg) as boolean[]).some(Boolean);
    default:
      throw new Error(`unexpected ${fn}`);
  }
}

describe('the warehouse subnets', () => {
  it.each([
    ['agnostic', 'eu-west-1', 3],
    ['agnostic', 'us-west-1', 2],
    ['eu-west-1', 'eu-west-1', 3],
    ['us-west-1', 'us-west-1', 2],
  ] as [EnvironmentName, string, number][])(
    'the %s template deployed to %s: three subnets over %i zones',
    (name, region, zones) => {
      const { json } = synth(name);
      const workgroup = logicalId(json, 'AWS::RedshiftServerless::Workgroup');
      const subnets = (json.Resources[workgroup]!.Properties!.SubnetIds as { Ref: string }[]).map(
        (s) => json.Resources[s.Ref]!,
      );
      const placed = subnets.map((s) => evaluate(json, region, s.Properties!.AvailabilityZone) as string);
      expect(placed).toHaveLength(3);
      expect(new Set(placed).size).toBe(zones);
      for (const az of placed) expect(ZONES[region]).toContain(az);
      expect(new Set(subnets.map((s) => s.Properties!.CidrBlock)).size).toBe(3);
    },
  );

  it("lets the warehouse reach S3 on 443 only, through the region's S3 prefix list, so COPY can read staged rows", () => {
    const { json } = synth();
    const group = logicalId(
      json,
      'AWS::EC2::SecurityGroup',
      (p) => p.GroupDescription === 'movies-gds Redshift Serverless',
    );
    const egress = Object.values(json.Resources).filter(
      (r) =>
        r.Type === 'AWS::EC2::SecurityGroupEgress' &&
        JSON.stringify(r.Properties!.GroupId) === JSON.stringify({ 'Fn::GetAtt': [group, 'GroupId'] }),
    );
    expect(egress.map((r) => r.Properties)).toEqual([
      expect.objectContaining({
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
        DestinationPrefixListId: {
          'Fn::GetAtt': [expect.stringMatching(/^NetworkS3PrefixList/), 'PrefixLists.0.PrefixListId'],
        },
      }),
    ]);
    const lookup = Object.entries(json.Resources).find(([id]) => id.startsWith('NetworkS3PrefixList'))![1];
    expect(JSON.stringify(lookup.Properties!.Create)).toContain('describeManagedPrefixLists');
    expect(JSON.stringify(lookup.Properties!.Create)).toContain('com.amazonaws.');
  });

  it('routes every subnet to the S3 gateway endpoint and gives the job the endpoints it calls', () => {
    const { json } = synth();
    const endpoints = Object.values(json.Resources).filter((r) => r.Type === 'AWS::EC2::VPCEndpoint');
    const gateway = endpoints.find(
      (r) => r.Properties!.VpcEndpointType === 'Gateway' || !r.Properties!.VpcEndpointType,
    )!;
    expect(gateway.Properties!.RouteTableIds).toHaveLength(3);
    const services = endpoints.map((r) => JSON.stringify(r.Properties!.ServiceName));
    for (const s of ['secretsmanager', 'glue', 'logs', 'monitoring'])
      expect(services.some((n) => n.includes(`.${s}`))).toBe(true);
  });
});
