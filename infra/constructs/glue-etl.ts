/**
 * The Glue side: the catalog database, the two crawlers (the drop in S3; the warehouse table
 * over JDBC), the Data Quality ruleset (the same .dqdl file), and the ETL job that applies the
 * contract and the ruleset, quarantines bad rows and loads good ones. The job gets the contract,
 * the ruleset and which rules gate the batch as arguments emitted here, from the TypeScript
 * sources.
 */
import type { Duration } from 'aws-cdk-lib';
import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import { PREFIXES } from '../../contract/lake.ts';
import { encodeJobArgument, glueJobArguments } from './glue-arguments.ts';
import { acknowledge, bucketLogicalId, resourceFinding, s3GrantFindings } from './nag.ts';
import type { Warehouse } from './warehouse.ts';

export interface GlueEtlProps {
  readonly bucket: s3.IBucket;
  readonly warehouse: Warehouse;
  readonly subnet: ec2.ISubnet;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly workerType: 'G.1X' | 'G.2X';
  readonly workers: number;
  readonly timeout: Duration;
}

export const GLUE_NAMES = {
  database: 'movie_database',
  inputCrawler: 'crawl-movies-in-s3',
  warehouseCrawler: 'crawl_movies_data_in_redshift',
  job: 'movie_data_analysis',
  connection: 'movies-redshift',
  ruleset: 'movies-ruleset',
} as const;

export class GlueEtl extends Construct {
  readonly jobName = GLUE_NAMES.job;
  readonly inputCrawlerName = GLUE_NAMES.inputCrawler;
  readonly warehouseCrawlerName = GLUE_NAMES.warehouseCrawler;

  constructor(scope: Construct, id: string, props: GlueEtlProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { bucket, warehouse } = props;
    // Where the Redshift connector stages the rows it loads with COPY.
    const tempPrefix = `${PREFIXES.scripts}tmp/`;

    const database = new glue.CfnDatabase(this, 'Database', {
      catalogId: stack.account,
      databaseInput: {
        name: GLUE_NAMES.database,
        description: 'movies-gds: crawled drops and the warehouse table',
      },
    });

    const key = new kms.Key(this, 'Key', {
      enableKeyRotation: true,
      description: 'movies-gds Glue logs and bookmarks',
    });
    key.grantEncryptDecrypt(new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`));
    const security = new glue.CfnSecurityConfiguration(this, 'Security', {
      name: 'movies-gds',
      encryptionConfiguration: {
        s3Encryptions: [{ s3EncryptionMode: 'SSE-S3' }],
        cloudWatchEncryption: { cloudWatchEncryptionMode: 'SSE-KMS', kmsKeyArn: key.keyArn },
        jobBookmarksEncryption: { jobBookmarksEncryptionMode: 'CSE-KMS', kmsKeyArn: key.keyArn },
      },
    });

    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('glue.amazonaws.com'),
      description: 'movies-gds crawlers and ETL job',
    });
    role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSGlueServiceRole'));
    bucket.grantRead(role, `${PREFIXES.input}*`);
    bucket.grantRead(role, `${PREFIXES.scripts}*`);
    bucket.grantReadWrite(role, `${PREFIXES.badData}*`);
    bucket.grantReadWrite(role, `${PREFIXES.results}*`);
    bucket.grantReadWrite(role, `${tempPrefix}*`);
    warehouse.loaderSecret.grantRead(role);
    key.grantEncryptDecrypt(role);
    // With CloudWatch encryption in the security configuration, Glue associates its key with the
    // job's and crawlers' log groups on their first run: without this, the first run fails.
    const glueLogs = stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: '/aws-glue/*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['logs:AssociateKmsKey'], resources: [glueLogs] }),
    );
    acknowledge(
      role,
      'Glue names its log groups under /aws-glue/ after the security configuration and the role at run time.',
      resourceFinding(role, glueLogs),
    );
    acknowledge(
      role,
      "S3 access is scoped to the pipeline's prefixes; the action wildcards are those of CDK's grant methods.",
      ...s3GrantFindings(bucketLogicalId(bucket), [
        PREFIXES.input,
        PREFIXES.scripts,
        PREFIXES.badData,
        PREFIXES.results,
        tempPrefix,
      ]),
      'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
    );
    acknowledge(
      role,
      'AWSGlueServiceRole is the documented managed policy for Glue crawlers and jobs.',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSGlueServiceRole]',
    );

    const connection = new glue.CfnConnection(this, 'Connection', {
      catalogId: stack.account,
      connectionInput: {
        name: GLUE_NAMES.connection,
        connectionType: 'JDBC',
        connectionProperties: {
          JDBC_CONNECTION_URL: `jdbc:redshift://${warehouse.workgroup.attrWorkgroupEndpointAddress}:5439/${warehouse.database}`,
          SECRET_ID: warehouse.loaderSecret.secretName,
          JDBC_ENFORCE_SSL: 'true',
        },
        physicalConnectionRequirements: {
          subnetId: props.subnet.subnetId,
          availabilityZone: props.subnet.availabilityZone,
          securityGroupIdList: [props.securityGroup.securityGroupId],
        },
      },
    });
    warehouse.securityGroup.addIngressRule(props.securityGroup, ec2.Port.tcp(5439), 'Glue job and crawler');

    const inputCrawler = new glue.CfnCrawler(this, 'InputCrawler', {
      name: GLUE_NAMES.inputCrawler,
      role: role.roleArn,
      databaseName: GLUE_NAMES.database,
      crawlerSecurityConfiguration: security.name,
      targets: { s3Targets: [{ path: `s3://${bucket.bucketName}/${PREFIXES.input}` }] },
      schemaChangePolicy: { updateBehavior: 'UPDATE_IN_DATABASE', deleteBehavior: 'LOG' },
      configuration: JSON.stringify({
        Version: 1,
        Grouping: { TableGroupingPolicy: 'CombineCompatibleSchemas' },
      }),
    });
    inputCrawler.addResourceDependency(database);
    inputCrawler.addResourceDependency(security);

    const warehouseCrawler = new glue.CfnCrawler(this, 'WarehouseCrawler', {
      name: GLUE_NAMES.warehouseCrawler,
      role: role.roleArn,
      databaseName: GLUE_NAMES.database,
      crawlerSecurityConfiguration: security.name,
      targets: {
        jdbcTargets: [{ connectionName: GLUE_NAMES.connection, path: `${warehouse.database}/public/movies` }],
      },
      schemaChangePolicy: { updateBehavior: 'UPDATE_IN_DATABASE', deleteBehavior: 'LOG' },
    });
    warehouseCrawler.addResourceDependency(database);
    warehouseCrawler.addResourceDependency(connection);
    warehouseCrawler.addResourceDependency(security);

    // Redshift runs the connector's COPY with its own role (the job passes it as aws_iam_role):
    // it lists and reads the files the job stages under the TempDir, and nothing else.
    warehouse.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [bucket.arnForObjects(`${tempPrefix}*`)],
      }),
    );
    warehouse.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': `${tempPrefix}*` } },
      }),
    );
    acknowledge(
      warehouse.role,
      'COPY reads the files the Glue job stages under its temp prefix; their names are chosen per run.',
      `AwsSolutions-IAM5[Resource::<${bucketLogicalId(bucket)}.Arn>/${tempPrefix}*]`,
    );

    const args = glueJobArguments();
    const ruleset = new glue.CfnDataQualityRuleset(this, 'Ruleset', {
      name: GLUE_NAMES.ruleset,
      description: 'movies-gds: the pipeline ruleset (contract/movies.dqdl)',
      ruleset: args.ruleset,
      targetTable: { databaseName: GLUE_NAMES.database, tableName: PREFIXES.input.replace(/\/$/, '') },
    });
    ruleset.addResourceDependency(database);

    const script = new assets.Asset(this, 'Script', {
      path: fileURLToPath(new URL('../glue/movie_etl.py', import.meta.url)),
    });
    script.grantRead(role);
    // The contract, the reader and the load's SQL in plain Python (infra/glue/lib): a zip on the
    // Python path of the driver and of every executor.
    const library = new assets.Asset(this, 'Library', {
      path: fileURLToPath(new URL('../glue/lib', import.meta.url)),
      exclude: ['__pycache__', '*.pyc'],
    });
    library.grantRead(role);
    acknowledge(
      role,
      'The job script is a CDK asset: read access to the asset bucket, granted by CDK.',
      resourceFinding(role, script.bucket.arnForObjects('*')),
    );
    const job = new glue.CfnJob(this, 'Job', {
      name: GLUE_NAMES.job,
      role: role.roleArn,
      glueVersion: '5.0',
      workerType: props.workerType,
      numberOfWorkers: props.workers,
      timeout: props.timeout.toMinutes(),
      maxRetries: 0,
      // One run at a time: the MERGE into movies is the critical section. Two runs merging at once
      // make Redshift abort one (ERROR 1023, serializable isolation); queued here instead, Glue
      // refuses the second StartJobRun (ConcurrentRunsExceededException) and the state machine's
      // "Run ETL job" retries it with backoff until the running job is done.
      executionProperty: { maxConcurrentRuns: 1 },
      securityConfiguration: security.name,
      connections: { connections: [GLUE_NAMES.connection] },
      command: { name: 'glueetl', pythonVersion: '3', scriptLocation: script.s3ObjectUrl },
      defaultArguments: {
        '--job-language': 'python',
        '--extra-py-files': library.s3ObjectUrl,
        '--job-bookmark-option': 'job-bookmark-disable',
        '--enable-metrics': 'true',
        '--TempDir': `s3://${bucket.bucketName}/${tempPrefix}`,
        '--redshift_connection': GLUE_NAMES.connection,
        '--redshift_database': warehouse.database,
        '--redshift_role': warehouse.role.roleArn,
        '--contract': encodeJobArgument(args.contract),
        '--ruleset': encodeJobArgument(args.ruleset),
        '--gates': encodeJobArgument(args.gates),
      },
    });
    job.addResourceDependency(security);
    job.addResourceDependency(connection);
  }
}
