/**
 * The tables: every AWS call each principal makes, at run time and at deploy, with the resource it
 * touches, and the calls that must be refused. Resources are named by what the template wires
 * together (the secret the bot's environment names, the topics' key, the job's script location,
 * ...), so a rewiring moves the table with it; what each principal calls is written out here, by
 * hand, and drift.test.ts checks it against the code.
 */
import { LOG_DELIVERY } from './code-calls.ts';
import { PREFIXES } from '../../../contract/lake.ts';
import { PIPELINE_NAME } from '../../../contract/lake.ts';
import { GLUE_NAMES } from '../../../infra/constructs/glue-etl.ts';
import type { Call } from './simulate.ts';
import type { Principal, PrincipalName } from './principals.ts';
import { wiring } from './wiring.ts';
import { ACCOUNT, REGION, World, type Json } from './world.ts';

/** A run: the execution EventBridge started (named at random) for one dropped CSV. */
export const EXECUTION = '5f2b7c1e-8d4a-4f3b-9c6e-2a1d0b9e8f71';
export const DROP_KEY = `${PREFIXES.input}2024/top-rated.csv`;

const arn = (service: string, resource: string): string =>
  `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
const s3Url = (url: string): { bucket: string; key: string } => {
  const m = /^s3:\/\/([^/]+)\/(.*)$/.exec(url);
  if (!m) throw new Error(`Not an s3:// URL: ${url}`);
  return { bucket: m[1]!, key: m[2]! };
};

/** The resources the calls touch, found through the template's wiring. */

/** Writing to a log stream: what Lambda, Glue and flow logs do for a principal's logs. */
function writesLogs(stream: string): [string, string][] {
  return [
    ['logs:CreateLogStream', stream],
    ['logs:PutLogEvents', stream],
  ];
}

export function places(w: World, principals: Record<PrincipalName, Principal>) {
  const { pipeline, rule, ruleTarget, bot, job: jobId, schema: provider, prefixList } = wiring(w);
  const ruleProps = w.resolve(w.resource(rule).Properties) as Json;
  // The bucket whose drops start the pipeline, as the rule's event pattern names it.
  const pattern = ruleProps.EventPattern as { detail: { bucket: { name: string[] } } };
  const bucket = pattern.detail.bucket.name[0]!;
  const stateMachine = w.ref(pipeline);
  const execution = (name: string): string => arn('states', `execution:${PIPELINE_NAME}:${name}`);

  const topic = (name: string): string => w.ref(w.one('AWS::SNS::Topic', (p) => p.TopicName === name));
  const keyOfTopic = (topicArn: string): string => {
    const id = w.one('AWS::SNS::Topic', (_, id) => w.ref(id) === topicArn);
    const key = w.resource(id).Properties?.KmsMasterKeyId;
    if (key === undefined) throw new Error(`${topicArn} is not encrypted with a customer key.`);
    return String(w.resolve(key));
  };

  const job = w.resolve(w.resource(jobId).Properties) as Json & {
    Name: string;
    Command: { ScriptLocation: string };
    DefaultArguments: Record<string, string>;
    SecurityConfiguration?: string;
  };
  const security = w.resolve(
    w.resource(w.one('AWS::Glue::SecurityConfiguration', (p) => p.Name === job.SecurityConfiguration))
      .Properties,
  ) as { Name: string; EncryptionConfiguration: { CloudWatchEncryption: { KmsKeyArn: string } } };
  const connection = w.resolve(
    w.resource(
      w.one('AWS::Glue::Connection', (p) => (p.ConnectionInput as Json).Name === GLUE_NAMES.connection),
    ).Properties,
  ) as {
    ConnectionInput: {
      Name: string;
      ConnectionProperties: { SECRET_ID: string };
      PhysicalConnectionRequirements: { SubnetId: string; SecurityGroupIdList: string[] };
    };
  };
  // The connection names its secret by name; IAM decides on the secret's ARN.
  const secretNamed = (name: string): string => {
    const ids = w.ids('AWS::SecretsManager::Secret', (_, id) =>
      w.ref(id).split(':')[6]!.startsWith(`${name}-`),
    );
    if (ids.length !== 1) throw new Error(`Expected one secret named ${name}, found ${ids.length}.`);
    return w.ref(ids[0]!);
  };
  const glueRole = principals['Glue job and crawlers'];
  const glueRoleName = glueRole.kind === 'role' ? w.ref(glueRole.roleId) : '';

  const namespace = w.one('AWS::RedshiftServerless::Namespace');
  const adminSecrets = [...World.referenced(w.resource(namespace).Properties)].filter(
    (id) => w.resource(id).Type === 'AWS::SecretsManager::Secret',
  );
  if (adminSecrets.length !== 1)
    throw new Error(`Expected the namespace to take its admin password from one secret.`);
  const workgroupId = w.one('AWS::RedshiftServerless::Workgroup');

  /** A function's log group: its LoggingConfig's, or the one Lambda creates, /aws/lambda/<function name>. */
  const logGroup = (functionId: string, world = w): string => {
    const group = (world.resource(functionId).Properties?.LoggingConfig as Json | undefined)?.LogGroup;
    const name = group === undefined ? `/aws/lambda/${world.ref(functionId)}` : String(world.resolve(group));
    return arn('logs', `log-group:${name}`);
  };
  const logStream = (functionId: string, world = w): string =>
    `${logGroup(functionId, world)}:log-stream:2026/11/26/[$LATEST]0123456789abcdef`;
  const schema = w.resolve(w.resource(provider.resource).Properties) as {
    WorkgroupName: string;
    SecretArn: string;
    Users?: { Name: string; SecretArn: string }[];
  };
  const { onEvent, handler, waiter } = provider;
  const flowLog = w.resolve(w.resource(w.one('AWS::EC2::FlowLog')).Properties) as { LogGroupName: string };
  // The bucket the data lake's access logs go to.
  const accessLogs = (world: World): string => {
    const logging = world.resource(wiring(world).lake).Properties!.LoggingConfiguration as Json;
    return `arn:aws:s3:::${String(world.resolve(logging.DestinationBucketName))}`;
  };
  const roleArn = (name: PrincipalName): string => {
    const p = principals[name];
    if (p.kind !== 'role') throw new Error(`${name} is not a role.`);
    return p.roleArn;
  };
  const egress = w.resource(prefixList.egress).Properties as Json;
  // The name check exists in the synthesis with a fixed bucket name, and asks about the data lake's name.
  const named = principals['bucket-name check handler'].world;
  const check = wiring(named).nameCheck!;
  const lakeName = named.ref(wiring(named).lake);

  return {
    bucket,
    object: (key: string): string => `arn:aws:s3:::${bucket}/${key}`,
    bucketArn: `arn:aws:s3:::${bucket}`,
    stateMachine,
    execution,
    rule: w.getAtt(rule, 'Arn'),
    deadLetters: String(w.resolve((ruleTarget.DeadLetterConfig as Json).Arn)),
    topics: { success: topic('movies-pipeline-success'), failure: topic('movies-pipeline-failure') },
    keyOfTopic,
    job: arn('glue', `job/${job.Name}`),
    crawler: (name: string): string => arn('glue', `crawler/${name}`),
    script: (() => {
      const { bucket: b, key } = s3Url(job.Command.ScriptLocation);
      return `arn:aws:s3:::${b}/${key}`;
    })(),
    tempDir: s3Url(job.DefaultArguments['--TempDir']!),
    glueKey: security.EncryptionConfiguration.CloudWatchEncryption.KmsKeyArn,
    glueLogGroup: (kind: 'jobs' | 'crawlers', stream?: string): string => {
      // With a security configuration, Glue writes to log groups named after it and the role.
      const group =
        kind === 'jobs'
          ? `/aws-glue/jobs/${security.Name}-role/${glueRoleName}/output`
          : `/aws-glue/crawlers-role/${glueRoleName}-${security.Name}`;
      return arn('logs', `log-group:${group}${stream ? `:log-stream:${stream}` : ''}`);
    },
    connection: arn('glue', `connection/${connection.ConnectionInput.Name}`),
    connectionSecret: secretNamed(connection.ConnectionInput.ConnectionProperties.SECRET_ID),
    subnet: arn('ec2', `subnet/${connection.ConnectionInput.PhysicalConnectionRequirements.SubnetId}`),
    glueSecurityGroup: arn(
      'ec2',
      `security-group/${connection.ConnectionInput.PhysicalConnectionRequirements.SecurityGroupIdList[0]}`,
    ),
    catalog: arn('glue', 'catalog'),
    database: arn('glue', `database/${GLUE_NAMES.database}`),
    table: (name: string): string => arn('glue', `table/${GLUE_NAMES.database}/${name}`),
    ruleset: arn('glue', `dataQualityRuleset/${GLUE_NAMES.ruleset}`),
    workgroup: w.getAtt(workgroupId, 'Workgroup.WorkgroupArn'),
    workgroupName: w.ref(workgroupId),
    adminSecret: w.ref(adminSecrets[0]!),
    /** The secret "Refresh views" passes to the Data API, as the definition names it. */
    refreshSecret: (() => {
      const states = w.definition().States as Record<string, Json>;
      const refresh = Object.values(states).find(
        (s) => typeof s.Resource === 'string' && s.Resource.endsWith(':redshiftdata:batchExecuteStatement'),
      );
      return String((refresh?.Parameters as Json | undefined)?.SecretArn);
    })(),
    bot: {
      function: w.getAtt(bot, 'Arn'),
      logStream: logStream(bot),
      slackSecret: w.env(bot, 'SLACK_SECRET_ARN'),
      redshiftSecret: w.env(bot, 'MOVIES_REDSHIFT_SECRET_ARN'),
      workgroup: w.env(bot, 'MOVIES_REDSHIFT_WORKGROUP'),
      bucket: w.env(bot, 'MOVIES_BUCKET'),
      stateMachine: w.env(bot, 'MOVIES_STATE_MACHINE_ARN'),
    },
    schema: {
      secret: schema.SecretArn,
      users: schema.Users ?? [],
      workgroupName: schema.WorkgroupName,
      handler: w.getAtt(handler, 'Arn'),
      handlerLogStream: logStream(handler),
      onEventLogStream: logStream(onEvent),
      isCompleteLogStream: logStream(provider.isComplete),
      waiter: w.ref(waiter),
      isComplete: w.getAtt(provider.isComplete, 'Arn'),
      onTimeout: w.getAtt(provider.onTimeout, 'Arn'),
    },
    onTimeoutLogStream: logStream(provider.onTimeout),
    prefixList: {
      // The security group whose egress to S3 names the prefix list.
      securityGroup: arn('ec2', `security-group/${String(w.resolve(egress.GroupId))}`),
      logGroup: logGroup(prefixList.handler),
      logStream: logStream(prefixList.handler),
    },
    notifications: {
      accessLogs: accessLogs(w),
      logGroup: logGroup(wiring(w).bucketNotifications.handler),
      logStream: logStream(wiring(w).bucketNotifications.handler),
    },
    oidc: {
      provider: w.ref(wiring(w).oidcProvider.resource),
      dropRole: roleArn('GitHub drop role'),
      readRole: roleArn('GitHub read role'),
      logGroup: logGroup(wiring(w).oidcProvider.handler),
      logStream: logStream(wiring(w).oidcProvider.handler),
    },
    nameCheck: {
      bucket: `arn:aws:s3:::${lakeName}`,
      object: (key: string): string => `arn:aws:s3:::${lakeName}/${key}`,
      accessLogs: accessLogs(named),
      handler: named.getAtt(check.handler, 'Arn'),
      handlerLogStream: logStream(check.handler, named),
      onEventLogStream: logStream(check.onEvent, named),
      bot: named.getAtt(wiring(named).bot, 'Arn'),
    },
    flowLogStream: arn('logs', `log-group:${flowLog.LogGroupName}:log-stream:eni-0a1b2c3d4e5f67890-all`),
    eni: arn('ec2', 'network-interface/eni-0a1b2c3d4e5f67890'),
  };
}
export type Places = ReturnType<typeof places>;

/** A data API statement read is allowed only for the caller's own statements. */
const ownStatement = (p: Principal): Record<string, string> =>
  p.kind === 'role' ? { 'redshift-data:statement-owner-iam-userid': p.userId } : {};

export function allowedCalls(w: World, principals: Record<PrincipalName, Principal>): Call[] {
  const at = places(w, principals);
  const calls: Call[] = [];
  const add = (
    principal: PrincipalName,
    why: string,
    entries: [
      action: string,
      resource: string | readonly string[],
      context?: Record<string, string | string[]>,
    ][],
  ): void => {
    for (const [action, resource, context] of entries)
      calls.push({ principal, action, resource, why, ...(context ? { context } : {}) });
  };

  // --- the state machine: one Task after another, then what Step Functions itself does for it ---
  const sm: PrincipalName = 'state machine';
  const dropped = at.object(DROP_KEY);
  for (const crawler of [GLUE_NAMES.inputCrawler, GLUE_NAMES.warehouseCrawler])
    add(sm, `Start and poll the ${crawler} crawler (aws-sdk:glue:startCrawler, getCrawler)`, [
      ['glue:StartCrawler', at.crawler(crawler)],
      ['glue:GetCrawler', at.crawler(crawler)],
    ]);
  add(sm, 'Run ETL job: glue:startJobRun.sync starts the run, polls it, stops it if the execution stops', [
    ['glue:StartJobRun', at.job],
    ['glue:GetJobRun', at.job],
    ['glue:GetJobRuns', at.job],
    ['glue:BatchStopJobRun', at.job],
  ]);
  add(sm, 'Read ETL results (aws-sdk:s3:getObject)', [
    ['s3:GetObject', at.object(`${PREFIXES.results}${EXECUTION}.json`)],
  ]);
  add(
    sm,
    'Refresh views (aws-sdk:redshiftdata:batchExecuteStatement with a SecretArn: the Data API reads the secret as the caller)',
    [
      ['redshift-data:BatchExecuteStatement', at.workgroup],
      ['secretsmanager:GetSecretValue', at.refreshSecret],
    ],
  );
  add(sm, 'Get refresh status (aws-sdk:redshiftdata:describeStatement)', [
    ['redshift-data:DescribeStatement', '*', ownStatement(principals[sm])],
  ]);
  add(sm, 'Copy input to archive (aws-sdk:s3:copyObject: read the source, write the copy)', [
    ['s3:GetObject', dropped],
    ['s3:GetObjectTagging', dropped],
    ['s3:PutObject', at.object(`${PREFIXES.archive}${EXECUTION}/${DROP_KEY}`)],
  ]);
  add(sm, 'Delete input (aws-sdk:s3:deleteObject)', [['s3:DeleteObject', dropped]]);
  for (const [name, topicArn] of Object.entries(at.topics)) {
    const kms = {
      'kms:ViaService': `sns.${REGION}.amazonaws.com`,
      'kms:CallerAccount': ACCOUNT,
      'kms:EncryptionContext:aws:sns:topicArn': topicArn,
    };
    add(
      sm,
      `Publish to the ${name} topic (sns:publish; the topic is encrypted with a customer key, so SNS uses it as the publisher)`,
      [
        ['sns:Publish', topicArn],
        ['kms:GenerateDataKey', at.keyOfTopic(topicArn), kms],
        ['kms:Decrypt', at.keyOfTopic(topicArn), kms],
      ],
    );
  }
  add(sm, 'X-Ray tracing of the executions (TracingConfiguration)', [
    ['xray:PutTraceSegments', '*'],
    ['xray:PutTelemetryRecords', '*'],
    ['xray:GetSamplingRules', '*'],
    ['xray:GetSamplingTargets', '*'],
  ]);
  add(
    sm,
    'Log delivery to CloudWatch Logs (LoggingConfiguration; these actions have no resource-level permissions)',
    LOG_DELIVERY.map((a) => [a, '*'] as [string, string]),
  );

  // --- Glue: the ETL job (infra/glue/movie_etl.py) and the two crawlers, all with one role ---
  const glue: PrincipalName = 'Glue job and crawlers';
  const rows = `${PREFIXES.badData}${EXECUTION}/rows/`;
  const temp = `${at.tempDir.key}0c5d2f4e-7a1b-4c3d-8e9f-a0b1c2d3e4f5/`;
  add(glue, 'The job run loads its script (Command.ScriptLocation, a CDK asset)', [
    ['s3:GetObject', at.script],
  ]);
  add(
    glue,
    'movie_etl.py: s3().head_object, then s3().get_object of byte ranges of the drop on the driver and the executors (IfMatch its etag)',
    [['s3:GetObject', dropped]],
  );
  add(
    glue,
    'movie_etl.py: a rejected batch is copied whole to quarantine (s3().copy_object, CopySourceIfMatch its etag)',
    [
      ['s3:GetObject', dropped],
      ['s3:PutObject', at.object(`${PREFIXES.badData}${EXECUTION}/top-rated.csv`)],
    ],
  );

  add(
    glue,
    'movie_etl.py: failed rows streamed by one task into rows/bad.csv (client.create_multipart_upload, client.upload_part, client.complete_multipart_upload; client.abort_multipart_upload on failure)',
    [
      ['s3:PutObject', at.object(`${rows}bad.csv`)],
      ['s3:AbortMultipartUpload', at.object(`${rows}bad.csv`)],
    ],
  );
  add(glue, "movie_etl.py: the run's results for the state machine (s3().put_object)", [
    ['s3:PutObject', at.object(`${PREFIXES.results}${EXECUTION}.json`)],
  ]);
  add(
    glue,
    'movie_etl.py: write_dynamic_frame.from_jdbc_conf stages the good rows in the TempDir (Spark writes them: list, write, read back)',
    [
      ['s3:PutObject', `arn:aws:s3:::${at.tempDir.bucket}/${temp}part-0000.avro`],
      ['s3:ListBucket', `arn:aws:s3:::${at.tempDir.bucket}`, { 's3:prefix': temp }],
      ['s3:GetObject', `arn:aws:s3:::${at.tempDir.bucket}/${temp}part-0000.avro`],
    ],
  );
  add(
    'warehouse role (Redshift COPY)',
    "movie_etl.py's from_jdbc_conf passes the namespace's role (--redshift_role) as aws_iam_role: Redshift's COPY lists and reads the staged rows with it",
    [
      ['s3:ListBucket', `arn:aws:s3:::${at.tempDir.bucket}`, { 's3:prefix': temp }],
      ['s3:GetObject', `arn:aws:s3:::${at.tempDir.bucket}/${temp}part-0000.avro`],
    ],
  );
  add(
    glue,
    "The Redshift connection (movie_etl.py's write_dynamic_frame.from_jdbc_conf, the warehouse crawler): its definition, its secret, and the network interfaces in its subnet",
    [
      ['glue:GetConnection', [at.catalog, at.connection]],
      ['secretsmanager:GetSecretValue', at.connectionSecret],
      ['ec2:DescribeSubnets', '*'],
      ['ec2:DescribeSecurityGroups', '*'],
      ['ec2:DescribeVpcEndpoints', '*'],
      ['ec2:DescribeRouteTables', '*'],
      ['ec2:DescribeNetworkInterfaces', '*'],
      ['ec2:CreateNetworkInterface', [at.eni, at.subnet, at.glueSecurityGroup]],
      ['ec2:CreateTags', at.eni, { 'aws:TagKeys': ['aws-glue-service-resource'] }],
      ['ec2:DeleteNetworkInterface', at.eni],
    ],
  );
  add(
    glue,
    'movie_etl.py: EvaluateDataQuality publishes its results (enableDataQualityResultsPublishing) and metrics',
    [
      ['glue:PublishDataQuality', at.ruleset],
      ['cloudwatch:PutMetricData', '*', { 'cloudwatch:namespace': 'Glue Data Quality' }],
    ],
  );
  add(glue, 'Job metrics (--enable-metrics)', [
    ['cloudwatch:PutMetricData', '*', { 'cloudwatch:namespace': 'Glue' }],
  ]);
  for (const kind of ['jobs', 'crawlers'] as const)
    add(
      glue,
      `${kind === 'jobs' ? 'Job run' : 'Crawler'} logs in CloudWatch Logs, encrypted with the security configuration's key`,
      [
        ['logs:CreateLogGroup', at.glueLogGroup(kind)],
        ['logs:AssociateKmsKey', at.glueLogGroup(kind)],
        ...writesLogs(at.glueLogGroup(kind, 'jr_0123456789abcdef')),
      ],
    );
  add(glue, "The security configuration's key (CSE-KMS job bookmarks, the logs' key)", [
    ['kms:GenerateDataKey', at.glueKey],
    ['kms:Decrypt', at.glueKey],
  ]);
  add(glue, 'The input crawler reads the drops (S3 target input_data/)', [
    ['s3:ListBucket', at.bucketArn, { 's3:prefix': PREFIXES.input }],
    ['s3:GetObject', dropped],
  ]);
  for (const table of [PREFIXES.input.replace(/\/$/, ''), 'movies_public_movies'])
    add(glue, `The crawlers keep the catalog table ${table} up to date`, [
      ['glue:GetDatabase', [at.catalog, at.database]],
      ['glue:GetTable', [at.catalog, at.database, at.table(table)]],
      ['glue:CreateTable', [at.catalog, at.database, at.table(table)]],
      ['glue:UpdateTable', [at.catalog, at.database, at.table(table)]],
    ]);

  // --- the bot on Lambda ---
  const bot: PrincipalName = 'bot Lambda';
  add(bot, 'bot/lambda.ts: Slack secrets at cold start (GetSecretValueCommand)', [
    ['secretsmanager:GetSecretValue', at.bot.slackSecret],
  ]);
  add(
    bot,
    'bot/warehouse.ts: ExecuteStatementCommand with the configured SecretArn (the Data API reads it as the bot)',
    [
      ['redshift-data:ExecuteStatement', at.workgroup],
      ['secretsmanager:GetSecretValue', at.bot.redshiftSecret],
    ],
  );
  add(
    bot,
    'bot/warehouse.ts: DescribeStatement, GetStatementResult, and CancelStatement past the deadline, on its own statements',
    [
      ['redshift-data:DescribeStatement', '*', ownStatement(principals[bot])],
      ['redshift-data:GetStatementResult', '*', ownStatement(principals[bot])],
      ['redshift-data:CancelStatement', '*', ownStatement(principals[bot])],
    ],
  );
  add(bot, 'bot/quarantine.ts: a range read of quarantined rows (GetObjectCommand)', [
    ['s3:GetObject', `arn:aws:s3:::${at.bot.bucket}/${rows}part-00000-3e1f-c000.csv`],
  ]);
  add(bot, 'bot/answers.ts: /movies status (ListExecutionsCommand, DescribeExecutionCommand)', [
    ['states:ListExecutions', at.bot.stateMachine],
    ['states:DescribeExecution', at.execution(EXECUTION)],
  ]);
  add(
    bot,
    'bot/lambda.ts: /movies is answered by a second, asynchronous invocation of itself (InvokeCommand)',
    [['lambda:InvokeFunction', at.bot.function]],
  );
  add(bot, "Lambda writes the function's logs to its log group (LoggingConfig)", [
    ...writesLogs(at.bot.logStream),
  ]);

  // --- the GitHub Action: drop-client/upload.ts (lib-storage's Upload) and drop-client/follow.ts ---
  const drop: PrincipalName = 'GitHub drop role';
  const upload = at.object(DROP_KEY);
  add(
    drop,
    'lib-storage Upload: a file under one part is one PutObject; a larger one is a multipart upload',
    [['s3:PutObject', upload]],
  );
  add(
    drop,
    'lib-storage Upload: CreateMultipartUpload, UploadPart, CompleteMultipartUpload are all s3:PutObject',
    [['s3:PutObject', upload]],
  );
  add(drop, 'lib-storage Upload: AbortMultipartUpload when a part fails (leavePartsOnError: false)', [
    ['s3:AbortMultipartUpload', upload],
  ]);
  for (const principal of ['GitHub drop role', 'GitHub read role'] as const)
    add(
      principal,
      'drop-client/follow.ts: find the execution (ListExecutions, DescribeExecution), poll it and read its history (GetExecutionHistory)',
      [
        ['states:ListExecutions', at.stateMachine],
        ['states:DescribeExecution', at.execution(EXECUTION)],
        ['states:GetExecutionHistory', at.execution(EXECUTION)],
      ],
    );

  // --- EventBridge ---
  add('EventBridge target role', 'The rule starts the pipeline for each drop', [
    ['states:StartExecution', at.stateMachine],
  ]);
  add(
    'events.amazonaws.com',
    'An event the rule could not deliver goes to the dead-letter queue (the queue policy decides)',
    [['sqs:SendMessage', at.deadLetters, { 'aws:SourceArn': at.rule, 'aws:SourceAccount': ACCOUNT }]],
  );

  // --- SNS and Slack reach the bot (the function's resource policy decides) ---
  for (const [name, topicArn] of Object.entries(at.topics))
    add('sns.amazonaws.com', `The ${name} topic delivers to the bot (Lambda subscription)`, [
      ['lambda:InvokeFunction', at.bot.function, { 'aws:SourceArn': topicArn, 'aws:SourceAccount': ACCOUNT }],
    ]);
  add('anyone (Slack)', "Slack calls the Function URL (auth NONE: the bot checks Slack's signature)", [
    ['lambda:InvokeFunctionUrl', at.bot.function, { 'lambda:FunctionUrlAuthType': 'NONE' }],
    ['lambda:InvokeFunction', at.bot.function, { 'lambda:InvokedViaFunctionUrl': 'true' }],
  ]);

  // --- CloudWatch Logs encrypts Glue's logs with the security configuration's key (the key policy decides) ---
  const logsContext = {
    'kms:EncryptionContext:aws:logs:arn': at.glueLogGroup('jobs'),
    'kms:CallerAccount': ACCOUNT,
  };
  add(
    `logs.${REGION}.amazonaws.com`,
    "CloudWatch Logs encrypts and decrypts Glue's log events with the security configuration's key",
    [
      ['kms:GenerateDataKey', at.glueKey, logsContext],
      ['kms:Encrypt', at.glueKey, logsContext],
      ['kms:Decrypt', at.glueKey, logsContext],
    ],
  );

  // --- the schema custom resource (infra/custom-resources/schema.ts) and CDK's provider framework around it ---
  add(
    'schema handler',
    "onEvent: the schema as one BatchExecuteStatementCommand with the SecretArn of the resource's properties",
    [
      ['redshift-data:BatchExecuteStatement', at.workgroup],
      ['secretsmanager:GetSecretValue', at.schema.secret],
    ],
  );
  add(
    'schema handler',
    'onEvent: which database users exist (ExecuteStatementCommand as the admin, polled with DescribeStatement, read with GetStatementResult)',
    [
      ['redshift-data:ExecuteStatement', at.workgroup],
      ['secretsmanager:GetSecretValue', at.schema.secret],
      ['redshift-data:DescribeStatement', '*', ownStatement(principals['schema handler'])],
      ['redshift-data:GetStatementResult', '*', ownStatement(principals['schema handler'])],
    ],
  );
  for (const user of at.schema.users)
    add('schema handler', `onEvent: the password of ${user.Name} from its secret (GetSecretValueCommand)`, [
      ['secretsmanager:GetSecretValue', user.SecretArn],
    ]);
  add('schema handler', 'isComplete: DescribeStatementCommand on its own batch', [
    ['redshift-data:DescribeStatement', '*', ownStatement(principals['schema handler'])],
  ]);
  add('schema handler', "Lambda writes the handler's logs (LoggingConfig)", [
    ...writesLogs(at.schema.handlerLogStream),
  ]);
  add(
    'schema provider onEvent',
    "CDK's provider calls our handler (waiting for it to be active), then starts its waiter",
    [
      ['lambda:GetFunction', at.schema.handler],
      ['lambda:InvokeFunction', at.schema.handler],
      ['states:StartExecution', at.schema.waiter],
      ...writesLogs(at.schema.onEventLogStream),
    ],
  );
  add(
    'schema provider isComplete',
    "CDK's provider asks our handler (once active) whether the batch finished",
    [
      ['lambda:GetFunction', at.schema.handler],
      ['lambda:InvokeFunction', at.schema.handler],
      ...writesLogs(at.schema.isCompleteLogStream),
    ],
  );
  add('schema waiter', "CDK's waiter state machine polls isComplete and gives up with onTimeout", [
    ['lambda:InvokeFunction', at.schema.isComplete],
    ['lambda:InvokeFunction', at.schema.onTimeout],
  ]);
  add(
    'schema waiter',
    "Log delivery of CDK's waiter state machine (its LoggingConfiguration, level ERROR)",
    LOG_DELIVERY.map((a) => [a, '*'] as [string, string]),
  );
  add(
    'schema provider onTimeout',
    "CDK's provider reports the timeout to CloudFormation (an HTTPS PUT to the presigned URL, no AWS call); Lambda writes its logs (LoggingConfig)",
    writesLogs(at.onTimeoutLogStream),
  );

  // --- the bucket-name check (infra/custom-resources/bucket-check.ts; only with a fixed bucket name) and CDK's provider around it ---
  add(
    'bucket-name check handler',
    'Is the name free? HeadBucketCommand, which S3 authorizes as s3:ListBucket on that bucket',
    [['s3:ListBucket', at.nameCheck.bucket]],
  );
  add('bucket-name check handler', "Lambda writes the handler's logs (LoggingConfig)", [
    ...writesLogs(at.nameCheck.handlerLogStream),
  ]);
  add(
    'bucket-name check provider onEvent',
    "CDK's provider calls our handler (waiting for it to be active); with no isComplete it starts no waiter",
    [
      ['lambda:GetFunction', at.nameCheck.handler],
      ['lambda:InvokeFunction', at.nameCheck.handler],
      ...writesLogs(at.nameCheck.onEventLogStream),
    ],
  );

  // --- CDK's own deploy-time handlers: their code is aws-cdk-lib's (code-calls.ts reads it) ---
  // Lambda creates the log group of a function without a LoggingConfig on its first invocation (Lambda's documentation).
  const lambdaLogs = (place: { logGroup: string; logStream: string }): [string, string][] => [
    ['logs:CreateLogGroup', place.logGroup],
    ...writesLogs(place.logStream),
  ];
  add(
    'S3 prefix-list lookup',
    "AwsCustomResource's handler makes the SDK call its Create and Update properties name: EC2 describeManagedPrefixLists (no resource-level permissions)",
    [['ec2:DescribeManagedPrefixLists', '*']],
  );
  add(
    'S3 prefix-list lookup',
    "Lambda creates the singleton function's log group (no LoggingConfig) and writes its logs",
    lambdaLogs(at.prefixList),
  );
  add(
    'bucket notifications handler',
    "CDK's handler (inline in the template): s3.put_bucket_notification_configuration of the data lake, EventBridge on (Managed, so no get_bucket_notification_configuration)",
    [['s3:PutBucketNotification', at.bucketArn]],
  );
  add(
    'bucket notifications handler',
    "Lambda creates the singleton function's log group (no LoggingConfig) and writes its logs",
    lambdaLogs(at.notifications),
  );
  add(
    'GitHub OIDC provider handler',
    "CDK's handler on Create: createOpenIDConnectProvider (the thumbprint is read over TLS from the issuer, no AWS call)",
    [['iam:CreateOpenIDConnectProvider', at.oidc.provider]],
  );
  add(
    'GitHub OIDC provider handler',
    "CDK's handler on Update: updateOpenIDConnectProviderThumbprint, then addClientIDToOpenIDConnectProvider and removeClientIDFromOpenIDConnectProvider for the changed client ids",
    [
      ['iam:UpdateOpenIDConnectProviderThumbprint', at.oidc.provider],
      ['iam:AddClientIDToOpenIDConnectProvider', at.oidc.provider],
      ['iam:RemoveClientIDFromOpenIDConnectProvider', at.oidc.provider],
    ],
  );
  add('GitHub OIDC provider handler', "CDK's handler on Delete: deleteOpenIDConnectProvider", [
    ['iam:DeleteOpenIDConnectProvider', at.oidc.provider],
  ]);
  add(
    'GitHub OIDC provider handler',
    "Lambda creates the singleton function's log group (no LoggingConfig) and writes its logs",
    lambdaLogs(at.oidc),
  );

  // --- the VPC's flow logs ---
  add('VPC flow logs role', 'Rejected traffic is logged to the flow log group', [
    ...writesLogs(at.flowLogStream),
    ['logs:DescribeLogStreams', at.flowLogStream],
  ]);
  return calls;
}

export function deniedCalls(w: World, principals: Record<PrincipalName, Principal>): Call[] {
  const at = places(w, principals);
  const calls: Call[] = [];
  const no = (
    principal: PrincipalName,
    why: string,
    action: string,
    resource: string,
    context?: Record<string, string>,
  ): void => void calls.push({ principal, action, resource, why, ...(context ? { context } : {}) });
  const other = (prefix: string): string => at.object(`${prefix}${EXECUTION}/other.csv`);
  const dropped = at.object(DROP_KEY);
  const otherWorkgroup = `arn:aws:redshift-serverless:${REGION}:${ACCOUNT}:workgroup/00000000-1111-2222-3333-444444444444`;

  // The GitHub drop role writes drops and follows them: nothing else.
  const drop: PrincipalName = 'GitHub drop role';
  no(drop, 'reads quarantined rows', 's3:GetObject', other(PREFIXES.badData));
  no(drop, 'reads the drops back', 's3:GetObject', dropped);
  no(drop, 'reads the archive', 's3:GetObject', other(PREFIXES.archive));
  no(drop, 'deletes a drop', 's3:DeleteObject', dropped);
  no(drop, 'deletes an object version', 's3:DeleteObjectVersion', dropped);
  no(drop, 'deletes from the archive', 's3:DeleteObject', other(PREFIXES.archive));
  no(drop, 'writes to the archive', 's3:PutObject', other(PREFIXES.archive));
  no(
    drop,
    'writes results the state machine trusts',
    's3:PutObject',
    at.object(`${PREFIXES.results}${EXECUTION}.json`),
  );
  no(drop, 'writes quarantine', 's3:PutObject', other(PREFIXES.badData));
  no(drop, 'replaces the job script', 's3:PutObject', at.object(`${PREFIXES.scripts}movie_etl.py`));
  no(drop, 'writes at the top of the bucket', 's3:PutObject', at.object('top-rated.csv'));
  no(drop, 'tags a drop', 's3:PutObjectTagging', dropped);
  no(drop, 'lists the bucket', 's3:ListBucket', at.bucketArn);
  no(drop, 'starts an execution itself', 'states:StartExecution', at.stateMachine);
  no(drop, 'stops an execution', 'states:StopExecution', at.execution(EXECUTION));
  no(drop, 'uploads over plain HTTP', 's3:PutObject', dropped, { 'aws:SecureTransport': 'false' });
  no(drop, "decrypts with the topics' key", 'kms:Decrypt', at.keyOfTopic(at.topics.failure));

  // The read role follows executions: it writes nothing and starts nothing.
  const read: PrincipalName = 'GitHub read role';
  no(read, 'uploads a drop', 's3:PutObject', dropped);
  no(read, 'aborts a multipart upload', 's3:AbortMultipartUpload', dropped);
  no(read, 'reads a drop', 's3:GetObject', dropped);
  no(read, 'reads quarantined rows', 's3:GetObject', other(PREFIXES.badData));
  no(read, 'starts an execution', 'states:StartExecution', at.stateMachine);
  no(read, 'stops an execution', 'states:StopExecution', at.execution(EXECUTION));

  // The bot reads: views through its own database user, quarantined rows, runs.
  const bot: PrincipalName = 'bot Lambda';
  no(bot, 'writes quarantine', 's3:PutObject', other(PREFIXES.badData));
  no(bot, 'writes a drop', 's3:PutObject', dropped);
  no(bot, 'reads the drops', 's3:GetObject', dropped);
  no(bot, 'reads the archive', 's3:GetObject', other(PREFIXES.archive));
  no(bot, 'deletes quarantined rows', 's3:DeleteObject', other(PREFIXES.badData));
  no(bot, 'runs a statement on another workgroup', 'redshift-data:ExecuteStatement', otherWorkgroup);
  no(
    bot,
    'runs a batch (the bot runs single statements)',
    'redshift-data:BatchExecuteStatement',
    at.workgroup,
  );
  no(bot, "reads another principal's statement", 'redshift-data:GetStatementResult', '*', {
    'redshift-data:statement-owner-iam-userid': 'AROAOTHERPRINCIPAL00:someone',
  });
  no(bot, "cancels another principal's statement", 'redshift-data:CancelStatement', '*', {
    'redshift-data:statement-owner-iam-userid': 'AROAOTHERPRINCIPAL00:someone',
  });
  no(bot, 'reads the Redshift admin (superuser) secret', 'secretsmanager:GetSecretValue', at.adminSecret);
  no(bot, 'starts an execution', 'states:StartExecution', at.stateMachine);
  no(bot, 'stops an execution', 'states:StopExecution', at.execution(EXECUTION));
  no(
    bot,
    'invokes another function',
    'lambda:InvokeFunction',
    `arn:aws:lambda:${REGION}:${ACCOUNT}:function:other`,
  );
  no(bot, 'publishes an outcome', 'sns:Publish', at.topics.failure);
  no(bot, "decrypts with the Glue security configuration's key", 'kms:Decrypt', at.glueKey);

  // The Glue role reads drops, writes quarantine, results and its TempDir.
  const glue: PrincipalName = 'Glue job and crawlers';
  no(glue, 'writes a drop', 's3:PutObject', dropped);
  no(glue, 'deletes a drop', 's3:DeleteObject', dropped);
  no(glue, 'writes the archive', 's3:PutObject', other(PREFIXES.archive));
  no(glue, 'deletes from the archive', 's3:DeleteObject', other(PREFIXES.archive));
  no(glue, 'replaces its own script', 's3:PutObject', at.script);
  no(glue, 'publishes an outcome', 'sns:Publish', at.topics.success);
  no(glue, 'starts an execution', 'states:StartExecution', at.stateMachine);
  no(glue, "uses the topics' key", 'kms:GenerateDataKey', at.keyOfTopic(at.topics.success));

  // Redshift's role reads what the job staged for COPY: no other prefix, and it writes nothing.
  const copy: PrincipalName = 'warehouse role (Redshift COPY)';
  no(copy, 'reads the drops', 's3:GetObject', dropped);
  no(copy, 'reads quarantined rows', 's3:GetObject', other(PREFIXES.badData));
  no(copy, 'lists the whole bucket', 's3:ListBucket', at.bucketArn, { 's3:prefix': PREFIXES.input });
  no(
    copy,
    'writes to the TempDir (UNLOAD)',
    's3:PutObject',
    `arn:aws:s3:::${at.tempDir.bucket}/${at.tempDir.key}unload/part-0000`,
  );

  // The state machine deletes only the drop it archived, and writes only the archive.
  const sm: PrincipalName = 'state machine';
  no(sm, 'deletes from the archive', 's3:DeleteObject', other(PREFIXES.archive));
  no(sm, 'deletes quarantined rows', 's3:DeleteObject', other(PREFIXES.badData));
  no(sm, 'deletes results', 's3:DeleteObject', at.object(`${PREFIXES.results}${EXECUTION}.json`));
  no(sm, 'deletes the job script', 's3:DeleteObject', at.object(`${PREFIXES.scripts}movie_etl.py`));
  no(sm, 'writes a drop (which would start another execution)', 's3:PutObject', dropped);
  no(sm, 'writes results', 's3:PutObject', at.object(`${PREFIXES.results}${EXECUTION}.json`));
  no(sm, 'runs another job', 'glue:StartJobRun', `arn:aws:glue:${REGION}:${ACCOUNT}:job/other`);
  no(sm, 'starts another crawler', 'glue:StartCrawler', `arn:aws:glue:${REGION}:${ACCOUNT}:crawler/other`);
  no(sm, 'runs statements on another workgroup', 'redshift-data:BatchExecuteStatement', otherWorkgroup);
  no(sm, 'publishes to another topic', 'sns:Publish', `arn:aws:sns:${REGION}:${ACCOUNT}:other`);

  // EventBridge starts this state machine only; its dead-letter queue takes this rule's events only.
  no(
    'EventBridge target role',
    'starts another state machine',
    'states:StartExecution',
    `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:other`,
  );
  no(
    'events.amazonaws.com',
    "another rule's events reach the dead-letter queue",
    'sqs:SendMessage',
    at.deadLetters,
    {
      'aws:SourceArn': `arn:aws:events:${REGION}:${ACCOUNT}:rule/other`,
    },
  );
  no('events.amazonaws.com', 'the dead-letter queue over plain HTTP', 'sqs:SendMessage', at.deadLetters, {
    'aws:SourceArn': at.rule,
    'aws:SecureTransport': 'false',
  });
  no('sns.amazonaws.com', 'another topic invokes the bot', 'lambda:InvokeFunction', at.bot.function, {
    'aws:SourceArn': `arn:aws:sns:${REGION}:${ACCOUNT}:other`,
  });
  no(
    'anyone (Slack)',
    'the bot invoked directly, not through its Function URL',
    'lambda:InvokeFunction',
    at.bot.function,
  );
  no(
    `logs.${REGION}.amazonaws.com`,
    "CloudWatch Logs uses the topics' key",
    'kms:GenerateDataKey',
    at.keyOfTopic(at.topics.success),
  );

  // Each database user's secret is read by its own principal only (and by the schema handler, which sets the passwords).
  const secretOf = (name: string): string => {
    const u = at.schema.users.find((x) => x.Name === name);
    if (!u) throw new Error(`The schema creates no database user ${name}.`);
    return u.SecretArn;
  };
  no(glue, 'reads the Redshift admin (superuser) secret', 'secretsmanager:GetSecretValue', at.adminSecret);
  no(glue, "reads the bot's database secret", 'secretsmanager:GetSecretValue', secretOf('movies_bot'));
  no(sm, 'reads the Redshift admin (superuser) secret', 'secretsmanager:GetSecretValue', at.adminSecret);
  no(sm, "reads the loader's database secret", 'secretsmanager:GetSecretValue', secretOf('movies_loader'));
  no(bot, "reads the loader's database secret", 'secretsmanager:GetSecretValue', secretOf('movies_loader'));
  no(
    bot,
    "reads the refresher's database secret",
    'secretsmanager:GetSecretValue',
    secretOf('movies_refresher'),
  );

  // CDK's provider reports a timeout: it calls nothing (its role may still invoke the schema handler: CDK grants that).
  const onTimeout: PrincipalName = 'schema provider onTimeout';
  no(onTimeout, 'invokes the bot', 'lambda:InvokeFunction', at.bot.function);
  no(
    onTimeout,
    'reads the Redshift admin (superuser) secret',
    'secretsmanager:GetSecretValue',
    at.adminSecret,
  );

  // The bucket-name check asks S3 about its one bucket name: it reads no object and no other bucket.
  const check: PrincipalName = 'bucket-name check handler';
  no(check, 'reads an object of the bucket', 's3:GetObject', at.nameCheck.object(DROP_KEY));
  no(check, 'writes an object', 's3:PutObject', at.nameCheck.object(DROP_KEY));
  no(check, 'lists the access-log bucket', 's3:ListBucket', at.nameCheck.accessLogs);
  no(
    check,
    'lists a bucket whose name starts with the same name',
    's3:ListBucket',
    `${at.nameCheck.bucket}-archive`,
  );
  no(check, 'deletes the bucket', 's3:DeleteBucket', at.nameCheck.bucket);
  no(
    'bucket-name check provider onEvent',
    'invokes another function',
    'lambda:InvokeFunction',
    at.nameCheck.bot,
  );

  // The prefix-list lookup reads: it changes no prefix list and no security group.
  const lookup: PrincipalName = 'S3 prefix-list lookup';
  const prefixListArn = arn('ec2', 'prefix-list/pl-0a1b2c3d4e5f67890');
  no(lookup, 'modifies a prefix list', 'ec2:ModifyManagedPrefixList', prefixListArn);
  no(lookup, 'creates a prefix list', 'ec2:CreateManagedPrefixList', prefixListArn);
  no(lookup, 'deletes a prefix list', 'ec2:DeleteManagedPrefixList', prefixListArn);
  no(lookup, "opens the warehouse's egress", 'ec2:AuthorizeSecurityGroupEgress', at.prefixList.securityGroup);
  no(
    lookup,
    "removes the warehouse's egress to S3",
    'ec2:RevokeSecurityGroupEgress',
    at.prefixList.securityGroup,
  );
  no(lookup, 'opens ingress', 'ec2:AuthorizeSecurityGroupIngress', at.prefixList.securityGroup);

  // The notifications handler configures the data lake's notifications: no other bucket, nothing else.
  const notify: PrincipalName = 'bucket notifications handler';
  no(
    notify,
    "configures the access-log bucket's notifications",
    's3:PutBucketNotification',
    at.notifications.accessLogs,
  );
  no(
    notify,
    "configures another bucket's notifications",
    's3:PutBucketNotification',
    'arn:aws:s3:::other-bucket',
  );
  no(notify, 'configures them over plain HTTP', 's3:PutBucketNotification', at.bucketArn, {
    'aws:SecureTransport': 'false',
  });
  no(notify, "replaces the data lake's bucket policy", 's3:PutBucketPolicy', at.bucketArn);
  no(notify, 'reads a drop', 's3:GetObject', dropped);

  // The OIDC handler manages OIDC providers only: no role, no policy. CDK's policy for it names every
  // provider (Resource "*", aws-cdk-lib's OidcProvider), so another provider's calls are not refused here.
  const oidc: PrincipalName = 'GitHub OIDC provider handler';
  no(oidc, 'creates a role', 'iam:CreateRole', `arn:aws:iam::${ACCOUNT}:role/other`);
  no(oidc, "rewrites the drop role's trust policy", 'iam:UpdateAssumeRolePolicy', at.oidc.dropRole);
  no(oidc, 'adds a policy to the drop role', 'iam:PutRolePolicy', at.oidc.dropRole);
  no(oidc, 'attaches a managed policy to the read role', 'iam:AttachRolePolicy', at.oidc.readRole);
  no(oidc, 'tags the provider (it passes no tags)', 'iam:TagOpenIDConnectProvider', at.oidc.provider);

  // The schema handler runs the schema: no more.
  no('schema handler', "reads the bot's Slack secret", 'secretsmanager:GetSecretValue', at.bot.slackSecret);
  no(
    'schema handler',
    'runs statements on another workgroup',
    'redshift-data:BatchExecuteStatement',
    otherWorkgroup,
  );
  return calls;
}
