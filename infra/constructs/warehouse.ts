/**
 * Redshift Serverless in private subnets, admin credentials in Secrets Manager, and the schema
 * (the movies table and the three materialized views, from the shared SQL) created by a custom
 * resource through the Redshift Data API on deploy.
 */
import { Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as redshift from 'aws-cdk-lib/aws-redshiftserverless';
import * as secrets from 'aws-cdk-lib/aws-secretsmanager';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { schemaStatements } from '../pipeline/sql.ts';

export interface WarehouseProps {
  readonly vpc: ec2.IVpc;
  readonly database: string;
  readonly adminUser: string;
  readonly baseCapacity: number;
}

export class Warehouse extends Construct {
  readonly namespaceName = 'movies';
  readonly workgroupName = 'movies';
  readonly database: string;
  readonly secret: secrets.Secret;
  readonly securityGroup: ec2.SecurityGroup;
  readonly workgroup: redshift.CfnWorkgroup;
  readonly workgroupArn: string;
  /** Role Redshift assumes (COPY/UNLOAD from the data lake). */
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: WarehouseProps) {
    super(scope, id);
    this.database = props.database;
    this.secret = new secrets.Secret(this, 'AdminSecret', {
      description: 'movies-gds Redshift Serverless admin',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username: props.adminUser }),
        generateStringKey: 'password',
        excludeCharacters: '"@/\\\' ',
        passwordLength: 32,
      },
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the admin password needs a rotation Lambda inside this isolated VPC; only the pipeline roles read it. Rotate by updating the secret and the namespace together.',
    });
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'movies-gds Redshift Serverless',
      allowAllOutbound: false,
    });
    this.role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('redshift.amazonaws.com') });
    const namespace = new redshift.CfnNamespace(this, 'Namespace', {
      namespaceName: this.namespaceName,
      dbName: props.database,
      adminUsername: props.adminUser,
      adminUserPassword: this.secret.secretValueFromJson('password').unsafeUnwrap(),
      iamRoles: [this.role.roleArn],
      logExports: ['userlog', 'connectionlog', 'useractivitylog'],
    });
    this.workgroup = new redshift.CfnWorkgroup(this, 'Workgroup', {
      workgroupName: this.workgroupName,
      namespaceName: this.namespaceName,
      baseCapacity: props.baseCapacity,
      publiclyAccessible: false,
      enhancedVpcRouting: true,
      subnetIds: props.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_ISOLATED }).subnetIds,
      securityGroupIds: [this.securityGroup.securityGroupId],
      configParameters: [{ parameterKey: 'require_ssl', parameterValue: 'true' }],
    });
    this.workgroup.addResourceDependency(namespace);
    this.workgroupArn = this.workgroup.attrWorkgroupWorkgroupArn;

    // The schema, created once the workgroup is up (idempotent statements; a failure shows in the Data API history).
    const statements = schemaStatements('redshift');
    const init = new cr.AwsCustomResource(this, 'Schema', {
      onCreate: {
        service: 'RedshiftData',
        action: 'batchExecuteStatement',
        parameters: {
          WorkgroupName: this.workgroupName,
          Database: props.database,
          SecretArn: this.secret.secretArn,
          Sqls: statements,
        },
        physicalResourceId: cr.PhysicalResourceId.of('movies-schema'),
      },
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({
          actions: ['redshift-data:BatchExecuteStatement'],
          resources: [this.workgroup.attrWorkgroupWorkgroupArn],
        }),
        new iam.PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: [this.secret.secretArn],
        }),
      ]),
      logGroup: new logs.LogGroup(this, 'SchemaLogs', { retention: logs.RetentionDays.ONE_MONTH }),
      installLatestAwsSdk: false,
    });
    init.node.addDependency(this.workgroup);
  }

  /**
   * Let a principal run SQL on this workgroup through the Data API with the admin secret.
   * Statement ids have no ARN, so reading results is limited to the caller's own statements.
   */
  grantDataApi(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['redshift-data:ExecuteStatement', 'redshift-data:BatchExecuteStatement'],
      resourceArns: [this.workgroupArn],
    });
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [
          'redshift-data:DescribeStatement',
          'redshift-data:GetStatementResult',
          'redshift-data:CancelStatement',
          'redshift-data:ListStatements',
        ],
        resources: ['*'],
        conditions: { StringEquals: { 'redshift-data:statement-owner-iam-userid': '${aws:userid}' } },
      }),
    );
    this.secret.grantRead(grantee);
  }
}
