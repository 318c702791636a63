/**
 * A VPC with isolated subnets only (no NAT, no internet). Redshift Serverless needs three subnets
 * in three Availability Zones (in us-west-1, which has two, three subnets over two zones); the
 * Glue job reaches S3 through a gateway endpoint and Secrets Manager, Glue, CloudWatch Logs and
 * CloudWatch metrics through interface endpoints placed in one AZ to keep the cost at rest low.
 */
import { Aws, CfnCondition, Fn, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledge } from './nag.ts';

/** Regions whose accounts get two Availability Zones, where Redshift Serverless takes three subnets over two. */
export const TWO_ZONE_REGIONS = ['us-west-1'] as const;

export class Network extends Construct {
  readonly vpc: ec2.Vpc;
  /** The subnet (and so the AZ) the Glue job runs in. */
  readonly glueSubnet: ec2.ISubnet;
  readonly glueSecurityGroup: ec2.SecurityGroup;
  /** S3 in this region (its managed prefix list): where COPY and UNLOAD go through the gateway endpoint. */
  readonly s3: ec2.IPeer;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      availabilityZones: warehouseZones(Stack.of(this)),
      natGateways: 0,
      subnetConfiguration: [{ name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
    });
    this.vpc.addFlowLog('FlowLogs', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(
        new logs.LogGroup(this, 'FlowLogGroup', { retention: logs.RetentionDays.ONE_MONTH }),
      ),
      trafficType: ec2.FlowLogTrafficType.REJECT,
    });
    this.glueSubnet = this.vpc.isolatedSubnets[0]!;
    this.vpc.addGatewayEndpoint('S3', {
      service: ec2.GatewayVpcEndpointAwsService.S3,
      subnets: [{ subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
    this.s3 = ec2.Peer.prefixList(s3PrefixListId(this));
    this.glueSecurityGroup = new ec2.SecurityGroup(this, 'GlueSecurityGroup', {
      vpc: this.vpc,
      description: 'movies-gds Glue job (Glue requires the group to reach itself)',
      allowAllOutbound: true,
    });
    this.glueSecurityGroup.addIngressRule(
      this.glueSecurityGroup,
      ec2.Port.allTcp(),
      'Glue workers talk to each other',
    );
    const endpoints = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'movies-gds interface endpoints',
      allowAllOutbound: false,
    });
    endpoints.addIngressRule(this.glueSecurityGroup, ec2.Port.tcp(443), 'HTTPS from the Glue job');
    for (const [name, service] of [
      ['SecretsManager', ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER],
      ['Glue', ec2.InterfaceVpcEndpointAwsService.GLUE],
      ['Logs', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS],
      // The job runs with --enable-metrics: without this endpoint its metrics calls time out.
      ['Monitoring', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING],
    ] as const)
      this.vpc.addInterfaceEndpoint(name, {
        service,
        subnets: { subnets: [this.glueSubnet] },
        securityGroups: [endpoints],
        privateDnsEnabled: true,
        open: false, // only the Glue job's group may reach them (the rule above)
      });
  }
}

const zonesOfStack = new WeakMap<Stack, string[]>();

/**
 * The warehouse's three zones, by index into Fn::GetAZs, the third being the first again where
 * the region has only two. An environment-agnostic template decides by a condition on the region
 * at deploy. Never looked up: a stack that returns these as its availabilityZones synthesizes
 * with an account and region and no credentials, as `cdk deploy` first does.
 */
export function warehouseZones(stack: Stack): string[] {
  let zones = zonesOfStack.get(stack);
  if (zones) return zones;
  const zone = (i: number): string => Fn.select(i, Fn.getAzs());
  if (!Token.isUnresolved(stack.region))
    zones = [
      zone(0),
      zone(1),
      (TWO_ZONE_REGIONS as readonly string[]).includes(stack.region) ? zone(0) : zone(2),
    ];
  else {
    const tests = TWO_ZONE_REGIONS.map((r) => Fn.conditionEquals(Aws.REGION, r));
    const twoZones = new CfnCondition(stack, 'TwoZoneRegion', {
      expression: tests.length === 1 ? tests[0]! : Fn.conditionOr(...tests),
    });
    zones = [zone(0), zone(1), Token.asString(Fn.conditionIf(twoZones.logicalId, zone(0), zone(2)))];
  }
  zonesOfStack.set(stack, zones);
  return zones;
}

/** The id of the region's S3 prefix list, looked up at deploy (CloudFormation has no attribute for it). */
function s3PrefixListId(scope: Construct): string {
  const lookup = new cr.AwsCustomResource(scope, 'S3PrefixList', {
    onUpdate: {
      service: 'EC2',
      action: 'describeManagedPrefixLists',
      parameters: { Filters: [{ Name: 'prefix-list-name', Values: [`com.amazonaws.${Aws.REGION}.s3`] }] },
      physicalResourceId: cr.PhysicalResourceId.of(`s3-prefix-list-${Aws.REGION}`),
      outputPaths: ['PrefixLists.0.PrefixListId'],
    },
    policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
    installLatestAwsSdk: false,
  });
  acknowledge(
    lookup,
    'ec2:DescribeManagedPrefixLists has no resource-level permissions; the lookup only reads.',
    'AwsSolutions-IAM5[Resource::*]',
  );
  return lookup.getResponseField('PrefixLists.0.PrefixListId');
}
