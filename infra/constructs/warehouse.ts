/**
 * Redshift Serverless in private subnets, admin credentials in Secrets Manager, and the schema
 * (the movies table, the three materialized views and the database users with their privileges,
 * from the shared SQL) created on deploy by a custom resource that runs them through the Redshift
 * Data API and waits for the result. Each user's password is generated into a secret of its own,
 * which only that user's principal (and the schema resource, which sets the password) may read.
 */
import { Aws, CustomResource, Duration, Fn, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as redshift from 'aws-cdk-lib/aws-redshiftserverless';
import * as secrets from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { handlerFunction } from './handler-function.ts';
import { DATABASE_USERS, schemaStatements, type DatabaseUser } from '../../contract/sql.ts';
import type { SchemaProperties } from '../custom-resources/schema.ts';
import { acknowledge, logicalIdOf } from './nag.ts';

export interface WarehouseProps {
  readonly vpc: ec2.IVpc;
  /** S3 as a security-group peer: COPY reads the Glue job's staged rows from it. */
  readonly s3: ec2.IPeer;
  readonly database: string;
  readonly adminUser: string;
  readonly baseCapacity: number;
}

export class Warehouse extends Construct {
  readonly namespaceName = 'movies';
  readonly workgroupName = 'movies';
  readonly database: string;
  /** The admin (superuser): only the schema resource reads it. */
  readonly adminSecret: secrets.Secret;
  /** The bot's user: SELECT on the three views. */
  readonly botSecret: secrets.Secret;
  /** The loader's user (the Glue job and the warehouse crawler): the staging schema and the MERGE into movies. */
  readonly loaderSecret: secrets.Secret;
  /** The refresher's user (the state machine): owns and refreshes the three views. */
  readonly refresherSecret: secrets.Secret;
  readonly securityGroup: ec2.SecurityGroup;
  readonly workgroup: redshift.CfnWorkgroup;
  readonly workgroupArn: string;
  /** Role Redshift assumes (COPY/UNLOAD from the data lake). */
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: WarehouseProps) {
    super(scope, id);
    this.database = props.database;
    this.adminSecret = new secrets.Secret(this, 'AdminSecret', {
      description: 'movies-gds Redshift Serverless admin',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username: props.adminUser }),
        generateStringKey: 'password',
        excludeCharacters: '"@/\\\' ',
        passwordLength: 32,
      },
    });
    Validations.of(this.adminSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the admin password needs a rotation Lambda inside this isolated VPC; only the schema resource reads it. Rotate by updating the secret and the namespace together.',
    });
    const userSecret = (id: string, user: DatabaseUser, what: string): secrets.Secret => {
      const secret = new secrets.Secret(this, id, {
        description: `movies-gds Redshift user ${DATABASE_USERS[user]}: ${what}`,
        generateSecretString: {
          secretStringTemplate: JSON.stringify({ username: DATABASE_USERS[user] }),
          generateStringKey: 'password',
          excludePunctuation: true,
          requireEachIncludedType: true,
          passwordLength: 32,
        },
      });
      acknowledge(
        secret,
        'The schema resource sets the database password from this secret; rotating it needs a rotation Lambda inside this isolated VPC. Rotate by writing a new password here and redeploying a schema change.',
        'AwsSolutions-SMG4',
      );
      return secret;
    };
    this.botSecret = userSecret('BotUserSecret', 'bot', 'SELECT on the views');
    this.loaderSecret = userSecret('LoaderUserSecret', 'loader', 'staging schema and MERGE into movies');
    this.refresherSecret = userSecret('RefresherUserSecret', 'refresher', 'owns and refreshes the views');
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'movies-gds Redshift Serverless',
      allowAllOutbound: false,
    });
    // Enhanced VPC routing sends COPY's S3 traffic through the VPC: no egress, no load.
    this.securityGroup.addEgressRule(props.s3, ec2.Port.tcp(443), 'COPY from S3 via the gateway endpoint');
    this.role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('redshift.amazonaws.com') });
    const namespace = new redshift.CfnNamespace(this, 'Namespace', {
      namespaceName: this.namespaceName,
      dbName: props.database,
      adminUsername: props.adminUser,
      adminUserPassword: this.adminSecret.secretValueFromJson('password').unsafeUnwrap(),
      iamRoles: [this.role.roleArn],
      logExports: ['userlog', 'connectionlog', 'useractivitylog'],
      // `cdk destroy` deletes the namespace: keep its data as a snapshot, named after this stack
      // instance (the stack id's UUID) so that a second deploy's destroy cannot collide with it.
      finalSnapshotName: Fn.join('-', ['movies-final', Fn.select(2, Fn.split('/', Aws.STACK_ID))]),
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

    // The schema, once the workgroup is up: the deploy waits for the statements' result and
    // fails with Redshift's error if one fails. Changed statements run again on the next deploy.
    // The handler reads the users' passwords from their secrets at run time (never a property).
    const handler = handlerFunction(this, 'SchemaHandler', {
      entry: new URL('../custom-resources/schema.ts', import.meta.url),
      // onEvent asks the workgroup which users exist before it starts the batch.
      timeout: Duration.minutes(5),
    });
    this.grantDataApi(handler);
    for (const secret of [this.adminSecret, this.botSecret, this.loaderSecret, this.refresherSecret])
      secret.grantRead(handler);
    acknowledge(
      handler,
      "redshift-data statement reads have no resource-level permissions (limited to the caller's own statements).",
      'AwsSolutions-IAM5[Resource::*]',
    );
    const provider = new cr.Provider(this, 'SchemaProvider', {
      onEventHandler: handler,
      isCompleteHandler: handler,
      queryInterval: Duration.seconds(10),
      totalTimeout: Duration.minutes(30),
      logGroup: new logs.LogGroup(this, 'SchemaProviderLogs', { retention: logs.RetentionDays.ONE_MONTH }),
      disableWaiterStateMachineLogging: false,
      waiterStateMachineLogOptions: {
        destination: new logs.LogGroup(this, 'SchemaWaiterLogs', { retention: logs.RetentionDays.ONE_MONTH }),
        level: sfn.LogLevel.ALL,
        includeExecutionData: false,
      },
    });
    acknowledge(
      provider,
      "CDK's provider framework invokes its handlers' versions (ARN:*), its waiter has no X-Ray option, and Step Functions log delivery has no resource-level permissions (*).",
      'AwsSolutions-SF2',
      'AwsSolutions-IAM5[Resource::*]',
      ...[handler, ...provider.node.findAll()]
        .filter((c): c is lambda.Function => c instanceof lambda.Function)
        .map((fn) => `AwsSolutions-IAM5[Resource::<${logicalIdOf(fn)}.Arn>:*]`),
    );
    const properties: SchemaProperties = {
      WorkgroupName: this.workgroupName,
      Database: props.database,
      SecretArn: this.adminSecret.secretArn,
      Users: (
        [
          ['bot', this.botSecret],
          ['loader', this.loaderSecret],
          ['refresher', this.refresherSecret],
        ] as const
      ).map(([user, secret]) => ({ Name: DATABASE_USERS[user], SecretArn: secret.secretArn })),
      Sqls: schemaStatements('redshift', { admin: props.adminUser, database: props.database }),
    };
    const schema = new CustomResource(this, 'Schema', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::MoviesSchema',
      properties: { ...properties },
    });
    schema.node.addDependency(this.workgroup);
  }

  /**
   * Let a principal run SQL on this workgroup through the Data API (with a secret it is granted
   * apart). Statement ids have no ARN, so reading results is limited to the caller's own statements.
   */
  grantDataApi(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['redshift-data:ExecuteStatement', 'redshift-data:BatchExecuteStatement'],
      resourceArns: [this.workgroupArn],
    });
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['redshift-data:DescribeStatement', 'redshift-data:GetStatementResult'],
        resources: ['*'],
        conditions: { StringEquals: { 'redshift-data:statement-owner-iam-userid': '${aws:userid}' } },
      }),
    );
  }
}
