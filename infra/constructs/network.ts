/**
 * A VPC with isolated subnets only (no NAT, no internet): Redshift Serverless needs three AZs;
 * the Glue job reaches S3 through a gateway endpoint and Secrets Manager, Glue and CloudWatch
 * Logs through interface endpoints placed in one AZ to keep the cost at rest low.
 */
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export class Network extends Construct {
  readonly vpc: ec2.Vpc;
  /** The subnet (and so the AZ) the Glue job runs in. */
  readonly glueSubnet: ec2.ISubnet;
  readonly glueSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 3,
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
    this.vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
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
