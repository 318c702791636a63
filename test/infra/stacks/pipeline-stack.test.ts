import { describe, expect, it } from '@jest/globals';
import { App } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError, readConfig } from '../../../infra/config.ts';
import { buildApp, contextArgs } from '../../../infra/bin/app.ts';
import { stateMachineDefinition } from '../../../local-aws/asl.ts';
import { DEFAULT_RULESET_PATH } from '../../../contract/check.ts';
import { contractJson } from '../../../contract/contract.ts';
import { encodeJobArgument } from '../../../infra/constructs/glue-arguments.ts';
import { DATABASE_USERS } from '../../../contract/sql.ts';
import { ENVIRONMENTS, logicalId, synth, type EnvironmentName } from './synth.ts';

describe('the pipeline stack', () => {
  const { template, json, app } = synth();

  // cdk deploy synthesizes first: a context lookup there would need credentials and a second pass.
  it.each(Object.keys(ENVIRONMENTS) as EnvironmentName[])(
    'synthesizes %s without any context lookup',
    (name) => {
      expect(synth(name).app.synth().manifest.missing ?? []).toEqual([]);
    },
  );

  // The CDK CLI always sets an account and region on deploy; CI synthesizes without them.
  it.each(Object.keys(ENVIRONMENTS) as EnvironmentName[])(
    'synthesizes %s with no unacknowledged cdk-nag AwsSolutions findings',
    (name) => {
      const { app } = synth(name);
      const stack = app.node.findChild('MoviesPipeline');
      const report = new AwsSolutionsChecks(app).validateScope(stack);
      expect(
        report.violations.map(
          (v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
        ),
      ).toEqual([]);
    },
  );

  it('starts the pipeline for CSV files created under input_data/ in its bucket', () => {
    const bucket = logicalId(json, 'AWS::S3::Bucket', (p) => p.VersioningConfiguration !== undefined);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: { bucket: { name: [{ Ref: bucket }] }, object: { key: [{ wildcard: 'input_data/*.csv' }] } },
      },
      Targets: [
        Match.objectLike({
          Arn: { Ref: Match.stringLikeRegexp('PipelineStateMachine') },
          DeadLetterConfig: Match.anyValue(),
        }),
      ],
    });
  });

  it('keeps the data lake encrypted, private, versioned, TLS-only, with lifecycle rules and EventBridge on', () => {
    const bucket = logicalId(json, 'AWS::S3::Bucket', (p) => p.VersioningConfiguration !== undefined);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Prefix: 'archive/',
            Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 30 }],
          }),
          Match.objectLike({ Prefix: 'bad_data/', ExpirationInDays: 90 }),
          Match.objectLike({ Prefix: 'scripts/tmp/', ExpirationInDays: 7 }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucket },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: { EventBridgeConfiguration: {} },
    });
  });

  it('lets only the configured repository assume the GitHub roles, with exactly the permissions they need', () => {
    const roles = template.findResources('AWS::IAM::Role', {
      Properties: {
        AssumeRolePolicyDocument: {
          Statement: [Match.objectLike({ Action: 'sts:AssumeRoleWithWebIdentity' })],
        },
      },
    });
    const subjects = Object.values(roles).map(
      (r) =>
        (
          r as {
            Properties: {
              AssumeRolePolicyDocument: {
                Statement: { Condition: { StringEquals: Record<string, string> } }[];
              };
            };
          }
        ).Properties.AssumeRolePolicyDocument.Statement[0]!.Condition.StringEquals,
    );
    expect(subjects).toEqual(
      expect.arrayContaining([
        {
          'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
          'token.actions.githubusercontent.com:sub': 'repo:acme/movies-data:ref:refs/heads/main',
        },
        {
          'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
          'token.actions.githubusercontent.com:sub': 'repo:acme/movies-data:pull_request',
        },
      ]),
    );
    const dropRole = Object.keys(roles).find((id) => id.includes('DropRole'))!;
    const readRole = Object.keys(roles).find((id) => id.includes('ReadRole'))!;
    const statements = (role: string): { Action: string | string[]; Resource: unknown }[] =>
      Object.values(
        template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: role }] } }),
      ).flatMap(
        (p) =>
          (
            p as {
              Properties: {
                PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] };
              };
            }
          ).Properties.PolicyDocument.Statement,
      );
    const actions = (role: string): string[] =>
      statements(role)
        .flatMap((s) => [s.Action].flat())
        .sort();
    expect(actions(dropRole)).toEqual([
      's3:AbortMultipartUpload',
      's3:PutObject',
      'states:DescribeExecution',
      'states:GetExecutionHistory',
      'states:ListExecutions',
    ]);
    expect(actions(readRole)).toEqual([
      'states:DescribeExecution',
      'states:GetExecutionHistory',
      'states:ListExecutions',
    ]);
    // Uploads (and aborting a failed multipart upload) only under input_data/.
    const put = statements(dropRole).find((s) => [s.Action].flat().includes('s3:PutObject'))!;
    expect([put.Action].flat().sort()).toEqual(['s3:AbortMultipartUpload', 's3:PutObject']);
    expect(JSON.stringify(put.Resource)).toMatch(/\/input_data\/\*"/);
    template.resourceCountIs('Custom::AWSCDKOpenIdConnectProvider', 1);
  });

  it('gives every Task state a timeout, retries on throttling, and a catch that records the failure', () => {
    const asl = stateMachineDefinition(json) as {
      States: Record<
        string,
        {
          Type: string;
          TimeoutSeconds?: number;
          Retry?: { ErrorEquals: string[] }[];
          Catch?: { ErrorEquals: string[]; Next: string }[];
        }
      >;
    };
    const tasks = Object.entries(asl.States).filter(([, s]) => s.Type === 'Task');
    expect(tasks.length).toBeGreaterThanOrEqual(13);
    for (const [name, state] of tasks) {
      expect([name, typeof state.TimeoutSeconds]).toEqual([name, 'number']);
      expect([name, state.Retry?.[0]?.ErrorEquals]).toEqual([
        name,
        expect.arrayContaining(['ThrottlingException', 'Glue.ThrottlingException']),
      ]);
      expect([name, state.Catch?.at(-1)]).toEqual([
        name,
        { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: `Record failure in ${name}` },
      ]);
    }
    expect(asl.States['Run ETL job']!.TimeoutSeconds).toBe(60 * 60 + 600);
  });

  it('runs the Glue job with the contract and the gates emitted from the TypeScript sources', () => {
    template.hasResourceProperties('AWS::Glue::Job', {
      Name: 'movie_data_analysis',
      GlueVersion: '5.0',
      WorkerType: 'G.1X',
      NumberOfWorkers: 2,
      // One load at a time: the others queue in the state machine's retries (the twin reads this too).
      ExecutionProperty: { MaxConcurrentRuns: 1 },
      Command: Match.objectLike({ Name: 'glueetl', PythonVersion: '3' }),
      DefaultArguments: Match.objectLike({
        '--contract': encodeJobArgument(JSON.stringify(contractJson())),
        '--ruleset': encodeJobArgument(readFileSync(DEFAULT_RULESET_PATH, 'utf8')),
        '--gates': Match.stringLikeRegexp('^[A-Za-z0-9+/]+=*$'),
        // Glue 5 always logs in real time; continuous logging is a Glue 4 (and earlier) option.
        '--enable-continuous-cloudwatch-log': Match.absent(),
      }),
    });
    template.hasResourceProperties('AWS::Glue::Crawler', { Name: 'crawl-movies-in-s3' });
    template.hasResourceProperties('AWS::Glue::Crawler', {
      Name: 'crawl_movies_data_in_redshift',
      Targets: { JdbcTargets: [Match.objectLike({ Path: 'movies/public/movies' })] },
    });
    // The catalog's ruleset is the plain text: only the job's command line needs it encoded.
    template.hasResourceProperties('AWS::Glue::DataQualityRuleset', {
      Ruleset: readFileSync(DEFAULT_RULESET_PATH, 'utf8'),
    });
    template.hasResourceProperties('AWS::Glue::Database', {
      DatabaseInput: { Name: 'movie_database', Description: Match.anyValue() },
    });
  });

  it("lets Redshift's COPY read the files the Glue job stages, and nothing else", () => {
    const bucket = logicalId(json, 'AWS::S3::Bucket', (p) => p.VersioningConfiguration !== undefined);
    const role = logicalId(json, 'AWS::IAM::Role', (p) =>
      JSON.stringify(p.AssumeRolePolicyDocument).includes('redshift.amazonaws.com'),
    );
    // The role is the namespace's, and the job hands it to the connector (aws_iam_role).
    template.hasResourceProperties('AWS::RedshiftServerless::Namespace', {
      IamRoles: [{ 'Fn::GetAtt': [role, 'Arn'] }],
    });
    template.hasResourceProperties('AWS::Glue::Job', {
      DefaultArguments: Match.objectLike({ '--redshift_role': { 'Fn::GetAtt': [role, 'Arn'] } }),
    });
    const statements = Object.values(
      template.findResources('AWS::IAM::Policy', { Properties: { Roles: Match.arrayWith([{ Ref: role }]) } }),
    ).flatMap(
      (p) =>
        (p as { Properties: { PolicyDocument: { Statement: unknown[] } } }).Properties.PolicyDocument
          .Statement,
    );
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/scripts/tmp/*']] },
      },
      {
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: { 'Fn::GetAtt': [bucket, 'Arn'] },
        Condition: { StringLike: { 's3:prefix': 'scripts/tmp/*' } },
      },
    ]);
    expect(json.Resources[logicalId(json, 'AWS::Glue::Job')]!.Properties!.DefaultArguments).toMatchObject({
      '--TempDir': { 'Fn::Join': ['', ['s3://', { Ref: bucket }, '/scripts/tmp/']] },
    });
  });

  it('creates each Glue resource after the ones it names', () => {
    const id = (type: string, name?: string): string =>
      logicalId(json, type, (p) => name === undefined || p.Name === name);
    const dependsOn = (logical: string): string[] =>
      [(json.Resources[logical] as { DependsOn?: string | string[] }).DependsOn ?? []].flat();
    const security = id('AWS::Glue::SecurityConfiguration');
    const database = id('AWS::Glue::Database');
    const connection = id('AWS::Glue::Connection');
    expect(dependsOn(id('AWS::Glue::Crawler', 'crawl-movies-in-s3'))).toEqual(
      expect.arrayContaining([database, security]),
    );
    expect(dependsOn(id('AWS::Glue::Crawler', 'crawl_movies_data_in_redshift'))).toEqual(
      expect.arrayContaining([database, connection, security]),
    );
    expect(dependsOn(id('AWS::Glue::DataQualityRuleset'))).toEqual(expect.arrayContaining([database]));
    expect(dependsOn(id('AWS::Glue::Job'))).toEqual(expect.arrayContaining([connection, security]));
  });

  it('publishes outcomes on two SNS topics with signature version 2, alerts by e-mail', () => {
    for (const name of ['movies-pipeline-success', 'movies-pipeline-failure'])
      template.hasResourceProperties('AWS::SNS::Topic', {
        TopicName: name,
        SignatureVersion: '2',
        KmsMasterKeyId: Match.anyValue(),
      });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'data-team@example.com',
    });
  });

  it("lets the state machine use the topics' key, without which SNS refuses every publish", () => {
    const key = logicalId(json, 'AWS::KMS::Key', (p) => /notifications/.test(String(p.Description)));
    const machine = logicalId(json, 'AWS::StepFunctions::StateMachine', (p) =>
      JSON.stringify(p).includes('movies-pipeline'),
    );
    const role = (json.Resources[machine]!.Properties!.RoleArn as { 'Fn::GetAtt': [string, string] })[
      'Fn::GetAtt'
    ][0];
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: role }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Resource: { 'Fn::GetAtt': [key, 'Arn'] },
          }),
        ]),
      },
    });
  });

  it('keeps the warehouse as a final snapshot, named per stack instance, when cdk destroy deletes it', () => {
    template.hasResourceProperties('AWS::RedshiftServerless::Namespace', {
      FinalSnapshotName: {
        'Fn::Join': [
          '-',
          ['movies-final', { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }],
        ],
      },
    });
  });

  it('puts Redshift Serverless in private subnets and creates the schema from the shared SQL', () => {
    template.hasResourceProperties('AWS::RedshiftServerless::Workgroup', {
      PubliclyAccessible: false,
      BaseCapacity: 8,
      EnhancedVpcRouting: true,
    });
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    // Run by handlers that wait for the result: a failing statement fails the deploy.
    template.hasResourceProperties('Custom::MoviesSchema', {
      WorkgroupName: 'movies',
      Sqls: Match.arrayWith([
        'GRANT SELECT, INSERT, UPDATE ON movies TO movies_loader',
        'REVOKE ASSUMEROLE ON ALL FROM PUBLIC FOR ALL',
        'DROP MATERIALIZED VIEW IF EXISTS mv_top_rated_movies',
        'SET SESSION AUTHORIZATION movies_refresher',
        Match.stringLikeRegexp('^CREATE MATERIALIZED VIEW mv_top_rated_movies AUTO REFRESH NO AS'),
        'SET SESSION AUTHORIZATION movies_admin',
        'GRANT SELECT ON mv_top_rated_movies TO movies_bot',
      ]),
    });
    // The provider calls our one handler for both steps (a statement is readable by its caller only).
    const custom = Object.values(json.Resources).find((r) => r.Type === 'Custom::MoviesSchema')!;
    const token = JSON.stringify(custom.Properties!.ServiceToken);
    const framework = Object.entries(json.Resources).find(([id]) => token.includes(id))![1];
    const env = (framework.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env.USER_ON_EVENT_FUNCTION_ARN).toEqual(env.USER_IS_COMPLETE_FUNCTION_ARN);
    const handler = (env.USER_ON_EVENT_FUNCTION_ARN as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    expect(json.Resources[handler]!.Properties).toMatchObject({
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
    });
    expect(handler).toMatch(/^WarehouseSchemaHandler/);
  });

  it('gives each database user its own generated secret, readable only by the principal that uses it and the schema handler', () => {
    const secret = (username: string): string =>
      logicalId(json, 'AWS::SecretsManager::Secret', (p) =>
        JSON.stringify(p.GenerateSecretString ?? {}).includes(JSON.stringify(JSON.stringify({ username }))),
      );
    const admin = secret('movies_admin');
    const users = Object.fromEntries(
      Object.entries(DATABASE_USERS).map(([user, name]) => [user, secret(name)]),
    ) as Record<keyof typeof DATABASE_USERS, string>;
    for (const id of Object.values(users))
      expect(json.Resources[id]!.Properties!.GenerateSecretString).toMatchObject({
        GenerateStringKey: 'password',
        PasswordLength: 32,
      });

    // Who may read each secret: every role whose policies allow GetSecretValue on it (or on anything).
    const readers = new Map<string, Set<string>>();
    for (const policy of Object.values(json.Resources).filter((r) => r.Type === 'AWS::IAM::Policy')) {
      const props = policy.Properties as {
        Roles?: { Ref: string }[];
        PolicyDocument: { Statement: { Effect: string; Action: string | string[]; Resource: unknown }[] };
      };
      for (const st of props.PolicyDocument.Statement) {
        const actions = [st.Action].flat();
        if (
          st.Effect !== 'Allow' ||
          !actions.some((a) => /^secretsmanager:(GetSecretValue|\*)$|^\*$/.test(a))
        )
          continue;
        for (const resource of [st.Resource].flat()) {
          const key = resource === '*' ? '*' : JSON.stringify(resource);
          for (const role of props.Roles ?? [])
            readers.set(key, (readers.get(key) ?? new Set()).add(role.Ref));
        }
      }
    }
    expect(readers.has('*')).toBe(false);
    const readersOf = (id: string): string[] => [...(readers.get(JSON.stringify({ Ref: id })) ?? [])].sort();
    const roleOf = (type: string, match: (p: Record<string, unknown>) => boolean, property: string): string =>
      (json.Resources[logicalId(json, type, match)]!.Properties![property] as { 'Fn::GetAtt': [string] })[
        'Fn::GetAtt'
      ][0];
    const schemaHandler = roleOf(
      'AWS::Lambda::Function',
      (p) => JSON.stringify(p.Role).includes('WarehouseSchemaHandler'),
      'Role',
    );
    const bot = roleOf('AWS::Lambda::Function', (p) => p.FunctionName === 'movies-bot', 'Role');
    const glue = roleOf('AWS::Glue::Job', () => true, 'Role');
    const stateMachine = roleOf(
      'AWS::StepFunctions::StateMachine',
      (p) => p.StateMachineName === 'movies-pipeline',
      'RoleArn',
    );
    expect(readersOf(admin)).toEqual([schemaHandler]);
    expect(readersOf(users.bot)).toEqual([bot, schemaHandler].sort());
    expect(readersOf(users.loader)).toEqual([glue, schemaHandler].sort());
    expect(readersOf(users.refresher)).toEqual([stateMachine, schemaHandler].sort());

    // And each uses its own: the bot's Lambda, the Glue connection, the view refresh, the schema resource.
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'movies-bot',
      Environment: { Variables: Match.objectLike({ MOVIES_REDSHIFT_SECRET_ARN: { Ref: users.bot } }) },
    });
    const connection = JSON.stringify(
      Object.values(json.Resources).find((r) => r.Type === 'AWS::Glue::Connection')!.Properties,
    );
    expect(connection).toContain(users.loader);
    expect(connection).not.toContain(admin);
    const machine = Object.values(json.Resources).find(
      (r) =>
        r.Type === 'AWS::StepFunctions::StateMachine' && r.Properties!.StateMachineName === 'movies-pipeline',
    )!;
    const definition = JSON.stringify(machine.Properties!.DefinitionString);
    expect(definition).toContain(`"SecretArn\\":\\"",{"Ref":"${users.refresher}"}`);
    expect(definition).not.toContain(admin);
    const schema = Object.values(json.Resources).find((r) => r.Type === 'Custom::MoviesSchema')!.Properties!;
    expect(schema.SecretArn).toEqual({ Ref: admin });
    expect(schema.Users).toEqual(
      Object.entries(DATABASE_USERS).map(([user, Name]) => ({
        Name,
        SecretArn: { Ref: users[user as keyof typeof users] },
      })),
    );
    // Passwords are read at run time: none is in the template, nor a dynamic reference to one but the admin's.
    expect(JSON.stringify(schema)).not.toMatch(/password|resolve:secretsmanager/i);
  });

  it('bundles the bot with the chart rasterizer and font beside it, and the bundle loads in Node', () => {
    const fn = logicalId(json, 'AWS::Lambda::Function', (p) => p.FunctionName === 'movies-bot');
    const key = (json.Resources[fn]!.Properties!.Code as { S3Key: string }).S3Key;
    const dir = join(app.outdir, `asset.${key.replace(/\.zip$/, '')}`);
    expect(readdirSync(dir).sort()).toEqual(['DejaVuSans.ttf', 'index.mjs', 'index_bg.wasm']);
    // As on Lambda: the bundle alone, with only the runtime's own AWS SDK beside it.
    const lambdaRoot = mkdtempSync(join(tmpdir(), 'movies-bot-bundle-'));
    cpSync(dir, lambdaRoot, { recursive: true });
    mkdirSync(join(lambdaRoot, 'node_modules'));
    symlinkSync(resolve('node_modules/@aws-sdk'), join(lambdaRoot, 'node_modules/@aws-sdk'));
    const index = pathToFileURL(join(lambdaRoot, 'index.mjs')).href;
    const loaded = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `const m = await import('${index}'); console.log(typeof m.handler);`],
      { encoding: 'utf8' },
    );
    rmSync(lambdaRoot, { recursive: true, force: true });
    expect(loaded.stderr.split('\n').filter((l) => /Error/.test(l))).toEqual([]);
    expect(loaded.stdout.trim()).toBe('function');
  });

  it('runs the bot on a current Node.js Lambda behind a Function URL, subscribed to both topics, with narrow IAM', () => {
    const fn = logicalId(json, 'AWS::Lambda::Function', (p) => p.FunctionName === 'movies-bot');
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'movies-bot',
      Runtime: 'nodejs24.x',
      Environment: {
        Variables: Match.objectLike({
          SLACK_SECRET_ARN: Match.anyValue(),
          MOVIES_REDSHIFT_WORKGROUP: 'movies',
        }),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'NONE',
      TargetFunctionArn: { 'Fn::GetAtt': [fn, 'Arn'] },
    });
    expect(
      Object.values(template.findResources('AWS::SNS::Subscription', { Properties: { Protocol: 'lambda' } })),
    ).toHaveLength(2);
    const role = (json.Resources[fn]!.Properties!.Role as { 'Fn::GetAtt': [string, string] })[
      'Fn::GetAtt'
    ][0];
    const statements = Object.values(
      template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: role }] } }),
    ).flatMap(
      (p) =>
        (p as { Properties: { PolicyDocument: { Statement: { Action: string | string[] }[] } } }).Properties
          .PolicyDocument.Statement,
    );
    expect([...new Set(statements.flatMap((s) => [s.Action].flat()))].sort()).toEqual([
      'lambda:InvokeFunction',
      'redshift-data:CancelStatement',
      'redshift-data:DescribeStatement',
      'redshift-data:ExecuteStatement',
      'redshift-data:GetStatementResult',
      's3:GetObject',
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
      'states:DescribeExecution',
      'states:ListExecutions',
    ]);
  });

  it('prints what the Action and the bot need', () => {
    for (const name of [
      'BucketName',
      'StateMachineArn',
      'GitHubDropRoleArn',
      'GitHubReadRoleArn',
      'SuccessTopicArn',
      'FailureTopicArn',
      'RedshiftWorkgroup',
      'RedshiftBotSecretArn',
      'BotUrl',
      'SlackSecretArn',
    ])
      template.hasOutput(name, Match.anyValue());
  });
});

describe('context', () => {
  const config = (values: Record<string, string>) =>
    readConfig((k) => ({ githubRepository: 'acme/movies-data', ...values })[k]);

  it('has defaults, except the repository allowed to drop data, which must be named', () => {
    expect(config({})).toMatchObject({ githubBranch: 'main', glueWorkers: 2, redshiftBaseCapacity: 8 });
    // A default repository would let its pushes write to every deployer's bucket.
    expect(() => readConfig(() => undefined)).toThrow(
      'Context githubRepository is required: the owner/name of the repository whose pushes may drop data (-c githubRepository=acme/movies-data).',
    );
  });

  it.each([
    [{ glueWorkers: 'many' }, 'Context glueWorkers must be a whole number from 2 to 100; got "many".'],
    [{ githubRepository: 'no-slash' }, 'Context githubRepository must be owner/name; got "no-slash".'],
    [
      { githubBranch: 'main"*' },
      'Context githubBranch must be a branch name (letters, digits, . _ / -); got "main"*".',
    ],
    [
      { redshiftAdminUser: 'Admin; DROP' },
      'Context redshiftAdminUser must be lower-case letters, digits and _ (not starting with a digit); got "Admin; DROP".',
    ],
    [
      { redshiftAdminUser: 'movies_bot' },
      'Context redshiftAdminUser must not be movies_bot, a user the stack creates for one job.',
    ],
    [
      { redshiftBaseCapacity: '9' },
      'Context redshiftBaseCapacity must be 4, a multiple of 8 up to 512, or a multiple of 32 up to 1024 RPUs; got "9".',
    ],
    [
      { redshiftBaseCapacity: '520' },
      'Context redshiftBaseCapacity must be 4, a multiple of 8 up to 512, or a multiple of 32 up to 1024 RPUs; got "520".',
    ],
    ...['192.168.5.4', 'xn--abc', 'lake-s3alias', 'sthree-lake'].map((name) => [
      { bucketName: name },
      `Context bucketName is not a valid S3 bucket name (3 to 63 lower-case letters, digits, dots and hyphens, not an IP address nor a name S3 reserves): "${name}".`,
    ]),
    [
      { githubOidcProviderArn: 'nonsense' },
      `Context githubOidcProviderArn must be the ARN of the account's GitHub provider (arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com); got "nonsense".`,
    ],
    [{ alertEmails: 'a@b.co, nope' }, 'Context alertEmails has an invalid address: "nope".'],
  ] as [Record<string, string>, string][])('refuses %j with one sentence', (values, message) => {
    expect(() => config(values)).toThrow(new ConfigError(message));
  });

  it.each(['4', '8', '512', '544', '1024'])('accepts a base capacity of %s RPUs', (rpus) => {
    expect(config({ redshiftBaseCapacity: rpus }).redshiftBaseCapacity).toBe(Number(rpus));
  });

  it('takes -c key=value pairs as the CDK CLI does', () => {
    expect(contextArgs(['-c', 'githubRepository=acme/x', '--context', 'alertEmails=a@b.co,c@d.co'])).toEqual({
      githubRepository: 'acme/x',
      alertEmails: 'a@b.co,c@d.co',
    });
    expect(() => contextArgs(['-c', 'oops'])).toThrow('Expected key=value after -c; got "oops".');
  });

  it('warns of a context key it does not know (a misspelt setting is otherwise silently a default)', () => {
    const { pipeline } = buildApp(
      new App({
        context: { 'aws:cdk:bundling-stacks': [], githubRepository: 'acme/x', alertEmail: 'a@b.co' },
      }),
      { nag: false, env: {} },
    );
    Annotations.fromStack(pipeline).hasWarning(
      '/MoviesPipeline',
      Match.stringLikeRegexp('^Context alertEmail is not a setting of this app and was ignored'),
    );
  });

  it('prints a setting that cannot be deployed as one sentence, with no stack trace, and exits 1', () => {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'infra/bin/app.ts', '-c', 'githubRepository=a/b', '-c', 'glueWorkers=1'],
      {
        encoding: 'utf8',
        env: { ...process.env, CDK_OUTDIR: mkdtempSync(join(tmpdir(), 'movies-synth-')) },
      },
    );
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('Context glueWorkers must be a whole number from 2 to 100; got "1".');
  });
});
