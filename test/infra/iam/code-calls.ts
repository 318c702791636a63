/**
 * What the code really calls, found without running it, so that the tables cannot drift:
 * - the SDK commands (`new XxxCommand(`) in the files each deployed principal runs, followed from
 *   its entry point through the relative imports, plus those @aws-sdk/lib-storage's Upload sends;
 * - the boto3 calls (found by Python's own parser) and the awsglue/Spark I/O in infra/glue/movie_etl.py;
 * - every Task of the synthesized state machine (its Resource ARN, and for aws-sdk integrations
 *   the API and its parameters), and what Step Functions does for it (tracing, log delivery);
 * - what the template asks of a principal by configuration: the Glue job's script, TempDir,
 *   connection and security configuration, the crawlers' targets, Lambda log groups, the
 *   EventBridge target and its dead-letter queue, SNS subscriptions, the Function URL, the
 *   properties of the schema and bucket-name check custom resources;
 * - what CDK's deploy-time handlers call, read from aws-cdk-lib's code where it can be (the OIDC
 *   provider's handler, the provider framework's runtime, the bucket-notifications handler inline
 *   in the template) and, for AwsCustomResource, from the SDK calls its properties name.
 * Each is a need: a principal, an IAM action and, where the code or template says, the resource
 * (a glob). drift.test.ts requires an allowed call in the table for each.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Principal, PrincipalName } from './principals.ts';
import { wiring } from './wiring.ts';
import { ACCOUNT, REGION, World, type Json } from './world.ts';

/** What Step Functions calls, as the state machine's role, to deliver its logs (no resource-level permissions). */
export const LOG_DELIVERY = [
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
];

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface Need {
  readonly principal: PrincipalName;
  readonly action: string;
  /** A glob (`*` matches anything) the call's resource must match; absent when the code does not say. */
  readonly resource?: string;
  /** Context keys the call must carry, e.g. which topic invokes the bot. */
  readonly context?: Readonly<Record<string, string>>;
  /** Where it was found. */
  readonly source: string;
  /** What the table's row must name in its `why` (the SDK command, the boto3 call), so each call site is accounted for. */
  readonly mention?: string;
}

// ---------------------------------------------------------------- SDK commands

/**
 * Each SDK command the rooms may send, and the IAM actions it needs (the names differ: UploadPart
 * is s3:PutObject). A command missing here fails the drift test: map it on purpose.
 */
export const SDK_COMMAND_ACTIONS: Record<string, readonly string[]> = {
  // S3, including every command lib-storage's Upload sends.
  PutObject: ['s3:PutObject'],
  CreateMultipartUpload: ['s3:PutObject'],
  UploadPart: ['s3:PutObject'],
  CompleteMultipartUpload: ['s3:PutObject'],
  AbortMultipartUpload: ['s3:AbortMultipartUpload'],
  ListParts: ['s3:ListMultipartUploadParts'],
  PutObjectTagging: ['s3:PutObjectTagging'],
  GetObject: ['s3:GetObject'],
  HeadObject: ['s3:GetObject'],
  // S3 authorizes HeadBucket as s3:ListBucket on the bucket (S3 API reference, HeadBucket).
  HeadBucket: ['s3:ListBucket'],
  CopyObject: ['s3:GetObject', 's3:PutObject'],
  DeleteObject: ['s3:DeleteObject'],
  ListObjectsV2: ['s3:ListBucket'],
  // Step Functions.
  ListExecutions: ['states:ListExecutions'],
  DescribeExecution: ['states:DescribeExecution'],
  GetExecutionHistory: ['states:GetExecutionHistory'],
  StartExecution: ['states:StartExecution'],
  StopExecution: ['states:StopExecution'],
  // Redshift Data API: with a SecretArn (as every caller here passes on AWS), the API reads the secret as the caller.
  ExecuteStatement: ['redshift-data:ExecuteStatement', 'secretsmanager:GetSecretValue'],
  BatchExecuteStatement: ['redshift-data:BatchExecuteStatement', 'secretsmanager:GetSecretValue'],
  DescribeStatement: ['redshift-data:DescribeStatement'],
  GetStatementResult: ['redshift-data:GetStatementResult'],
  CancelStatement: ['redshift-data:CancelStatement'],
  // Secrets Manager, Lambda, SNS.
  GetSecretValue: ['secretsmanager:GetSecretValue'],
  Invoke: ['lambda:InvokeFunction'],
  Publish: ['sns:Publish'],
  Subscribe: ['sns:Subscribe'],
  ConfirmSubscription: ['sns:ConfirmSubscription'],
};

/** Which code each deployed principal runs: its entry point, followed through relative imports. */
export const ENTRY_POINTS: Partial<Record<PrincipalName, string>> = {
  'bot Lambda': 'bot/lambda.ts',
  // The Action on a push: upload (drop-client/upload.ts, lib-storage) and follow (drop-client/follow.ts).
  'GitHub drop role': 'action/index.ts',
  // Pull requests only validate (no AWS call); the read role is there to follow executions.
  'GitHub read role': 'drop-client/follow.ts',
  'schema handler': 'infra/custom-resources/schema.ts',
  'bucket-name check handler': 'infra/custom-resources/bucket-check.ts',
};

/** The rooms scanned for commands: every command found must be run by a principal above or be listed below. */
export const SCANNED_ROOMS = [
  'bot',
  'action',
  'drop-client',
  'infra/custom-resources',
  'infra/custom-resources',
];

/**
 * Commands that are in the scanned rooms but that no deployed principal sends, each with the
 * reason and a check that the reason still holds.
 */
export const NOT_SENT_BY_A_DEPLOYED_ROLE: readonly {
  readonly file: string;
  readonly command: string;
  readonly principal?: PrincipalName;
  readonly reason: string;
  readonly stillTrue: () => boolean;
}[] = [
  {
    file: 'bot/server.ts',
    command: 'Subscribe',
    reason:
      'the HTTP server (`movies bot`, `npm start`) runs with the credentials of whoever starts it; on AWS the topics subscribe the function',
    stillTrue: () => !reachable('bot/lambda.ts').has('bot/server.ts'),
  },
  {
    file: 'bot/listeners/routes/sns.ts',
    command: 'ConfirmSubscription',
    principal: 'bot Lambda',
    reason:
      "the /sns route exists only on createApp's HTTP receiver; on Lambda, SNS invokes the function through its subscription",
    stillTrue: () => !/\bcreateApp\b/.test(source('bot/lambda.ts')),
  },
  {
    file: 'node_modules/@aws-sdk/lib-storage',
    command: 'PutObjectTagging',
    principal: 'GitHub drop role',
    reason:
      "Upload sends it only when given tags, and drop-client/upload.ts gives none (the drop's origin is object metadata)",
    stillTrue: () => !/\btags\s*:/.test(source('drop-client/upload.ts')),
  },
];

const sourceCache = new Map<string, string>();
export function source(file: string): string {
  let s = sourceCache.get(file);
  if (s === undefined) {
    s = readFileSync(join(ROOT, file), 'utf8');
    sourceCache.set(file, s);
  }
  return s;
}

const IMPORT =
  /(?:^|[\s;])(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Imports that run code (not `import type`), relative ones resolved to repository paths. */
export function imports(file: string): { files: string[]; packages: string[] } {
  const files: string[] = [];
  const packages: string[] = [];
  for (const m of source(file).matchAll(IMPORT)) {
    if (m[2]) continue; // import type / export type
    const spec = m[3] ?? m[4]!;
    if (!spec.startsWith('.')) {
      packages.push(spec);
      continue;
    }
    const base = resolve(ROOT, dirname(file), spec);
    const candidates = [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')];
    const found = candidates.find((c) => existsSync(c) && c.endsWith('.ts'));
    if (found) files.push(relative(ROOT, found));
  }
  return { files, packages };
}

/** The repository files an entry point runs, through its relative imports. */
export function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (f: string): void => {
    if (seen.has(f)) return;
    seen.add(f);
    for (const g of imports(f).files) visit(g);
  };
  visit(entry);
  return seen;
}

export interface FoundCommand {
  readonly file: string;
  readonly command: string;
}

/**
 * `new XxxCommand(` (or `new sdk.XxxCommand(`) in a file, and paginators (paginateXxx), which send XxxCommand; a command or
 * paginator imported from an @aws-sdk package under another name (`XxxCommand as Y`) is found
 * as `new Y(` or `Y(`.
 */
export function commandsIn(text: string, file: string): FoundCommand[] {
  const found = [...text.matchAll(/\bnew\s+(?:[\w$]+\.)?(\w+)Command\s*\(|\bpaginate([A-Z]\w*)\s*\(/g)].map(
    (m) => ({
      file,
      command: m[1] ?? m[2]!,
    }),
  );
  for (const [alias, command] of renamedSdkImports(text)) {
    const uses = text.match(new RegExp(`(?<![.\\w$])${alias}\\s*\\(`, 'g')) ?? [];
    found.push(...uses.map(() => ({ file, command })));
  }
  return found;
}

/** `{ XxxCommand as Y }` and `{ paginateXxx as Y }` imported (or re-exported) from an @aws-sdk package: Y and Xxx. */
export function renamedSdkImports(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(
    /\b(?:import|export)\s*(?:type\s+)?[^;'"]*?\{([^}]*)\}\s*from\s*['"]@aws-sdk\/[^'"]+['"]/g,
  ))
    for (const spec of m[1]!.split(',')) {
      const r = /^\s*(?:type\s+)?(\w+)\s+as\s+(\w+)\s*$/.exec(spec);
      if (!r) continue;
      const c = /^(\w+)Command$/.exec(r[1]!)?.[1] ?? /^paginate([A-Z]\w*)$/.exec(r[1]!)?.[1];
      if (c) out.set(r[2]!, c);
    }
  return out;
}

/** The AWS SDK v3 aggregated clients (`new S3(...)`, `s3.putObject(...)`) would hide calls from this scan. */
export function aggregatedClientsIn(text: string): string[] {
  return [...text.matchAll(/\bnew\s+(S3|SFN|SNS|Lambda|RedshiftData|SecretsManager|SQS|KMS|Glue)\s*\(/g)].map(
    (m) => m[1]!,
  );
}

/** Every command lib-storage's own code sends (its published ESM and CommonJS builds). */
export function libStorageCommands(): FoundCommand[] {
  const dir = 'node_modules/@aws-sdk/lib-storage';
  const out: FoundCommand[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(join(ROOT, d), { withFileTypes: true })) {
      const p = `${d}/${e.name}`;
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.js')) out.push(...commandsIn(readFileSync(join(ROOT, p), 'utf8'), dir));
    }
  };
  for (const build of ['dist-es', 'dist-cjs']) walk(`${dir}/${build}`);
  if (!out.length) throw new Error(`No commands found in ${dir}: has its layout changed?`);
  return out;
}

/** Every SDK command in the scanned rooms, file by file. */
export function scannedCommands(): FoundCommand[] {
  const out: FoundCommand[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(join(ROOT, d), { withFileTypes: true })) {
      const p = `${d}/${e.name}`;
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts')) out.push(...commandsIn(source(p), p));
    }
  };
  for (const room of SCANNED_ROOMS) walk(room);
  return out;
}

/** The commands each principal's code sends, with lib-storage's when its code imports it. */
export function commandsByPrincipal(): Map<PrincipalName, FoundCommand[]> {
  const out = new Map<PrincipalName, FoundCommand[]>();
  for (const [principal, entry] of Object.entries(ENTRY_POINTS) as [PrincipalName, string][]) {
    const files = reachable(entry);
    const found: FoundCommand[] = [];
    for (const f of files) {
      found.push(...commandsIn(source(f), f));
      if (imports(f).packages.includes('@aws-sdk/lib-storage')) found.push(...libStorageCommands());
    }
    out.set(
      principal,
      found.filter(
        (c) =>
          !NOT_SENT_BY_A_DEPLOYED_ROLE.some(
            (x) => x.principal === principal && x.file === c.file && x.command === c.command,
          ),
      ),
    );
  }
  return out;
}

export function sdkNeeds(): Need[] {
  const needs: Need[] = [];
  for (const [principal, found] of commandsByPrincipal())
    for (const c of found)
      for (const action of SDK_COMMAND_ACTIONS[c.command] ?? [`(unmapped ${c.command}Command)`])
        needs.push({ principal, action, source: `${c.file}: ${c.command}Command`, mention: c.command });
  return dedupe(needs);
}

// ---------------------------------------------------------------- the Glue script

export const GLUE_SCRIPT = 'infra/glue/movie_etl.py';
/** The Python that makes AWS calls in a Glue run: the job, and the library module with its S3 client. */
const GLUE_PYTHON = [GLUE_SCRIPT, 'infra/glue/lib/movies_s3.py'];
/** The Glue library module that builds the results JSON. */
const GLUE_OUTCOME = 'infra/glue/lib/movies_outcome.py';

/** boto3 client methods the Python code (the Glue script, CDK's bucket-notifications handler) may call, and their IAM actions. */
export const BOTO3_ACTIONS: Record<string, Record<string, readonly string[]>> = {
  s3: {
    head_object: ['s3:GetObject'],
    get_object: ['s3:GetObject'],
    copy_object: ['s3:GetObject', 's3:PutObject'],
    put_object: ['s3:PutObject'],
    // Multipart uploads and part copies (Service Authorization Reference: CreateMultipartUpload,
    // UploadPart, CompleteMultipartUpload are s3:PutObject; UploadPartCopy reads its source).
    create_multipart_upload: ['s3:PutObject'],
    upload_part: ['s3:PutObject'],
    upload_part_copy: ['s3:GetObject', 's3:PutObject'],
    complete_multipart_upload: ['s3:PutObject'],
    abort_multipart_upload: ['s3:AbortMultipartUpload'],
    delete_object: ['s3:DeleteObject'],
    list_objects_v2: ['s3:ListBucket'],
    // The bucket's notification configuration (Service Authorization Reference: PutBucketNotification, GetBucketNotification).
    put_bucket_notification_configuration: ['s3:PutBucketNotification'],
    get_bucket_notification_configuration: ['s3:GetBucketNotification'],
  },
};

/** The awsglue / Spark calls that reach AWS, and what they need. */
export const GLUE_LIBRARY_CALLS: readonly {
  pattern: RegExp;
  what: string;
  mention: string;
  actions: readonly string[];
}[] = [
  {
    pattern: /\.write_dynamic_frame\.from_jdbc_conf\(/g,
    what: 'write_dynamic_frame.from_jdbc_conf (the Redshift connection; rows staged in the TempDir, read by COPY)',
    mention: 'from_jdbc_conf',
    actions: [
      'glue:GetConnection',
      'secretsmanager:GetSecretValue',
      's3:PutObject',
      's3:GetObject',
      's3:ListBucket',
    ],
  },
  {
    pattern: /EvaluateDataQuality\(\)\.process_rows\(/g,
    what: 'EvaluateDataQuality().process_rows (results published, metrics)',
    mention: 'EvaluateDataQuality',
    actions: ['glue:PublishDataQuality', 'cloudwatch:PutMetricData'],
  },
  {
    pattern: /\.write\.mode\([^)]*\)(?:\.option\([^)]*\))*\.csv\(/g,
    what: 'a Spark DataFrame written to S3 as CSV (list, write, remove temporary files)',
    mention: '.csv',
    actions: ['s3:ListBucket', 's3:PutObject', 's3:GetObject', 's3:DeleteObject'],
  },
];

/** Anything in the script that looks like AWS I/O: each must be one of the known calls above. */
const GLUE_IO =
  /\b(write_dynamic_frame|create_dynamic_frame|getSink|getSource|from_catalog|from_options)\b|\.(write|read)\./g;

/**
 * Every boto3 client the script makes and every method called on one, found by Python's own
 * parser, however the client is reached: a variable (`s3.get_object`), a chain
 * (`boto3.client("s3").delete_object`) or a session (`boto3.session.Session().client("sns")`).
 * `text` is the call as written, which a row of the table must name.
 */
function boto3Calls(
  files: readonly string[],
): { file: string; service: string | null; method: string | null; text: string; line: number }[] {
  const program = `
import ast, json, sys
files = [(name, open(path).read()) for name, path in zip(sys.argv[1::2], sys.argv[2::2])]
trees = [(name, src, ast.parse(src)) for name, src in files]
makers = {}  # functions (in any of the files) that return a client: def s3(): ... return boto3.client("s3")
def client_service(node, names):
    """The service of a client expression, "" for a client named at run time, None if not a client."""
    if isinstance(node, ast.Name):
        return names.get(node.id)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in makers:
        return makers[node.func.id]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("client", "resource"):
        arg = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "service_name"), None)
        return arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else ""
    return None
for node in (n for _, _, tree in trees for n in ast.walk(tree)):
    if isinstance(node, ast.FunctionDef):
        made = [client_service(n, {}) for n in ast.walk(node) if isinstance(n, ast.Call)]
        made = [m for m in made if m is not None]
        if made and not node.args.args:
            makers[node.name] = made[0]
out = []
for file, src, tree in trees:
  names = {}
  for node in ast.walk(tree):
      if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
          service = client_service(node.value, {})
          if service is not None:
              names[node.targets[0].id] = service
  for node in ast.walk(tree):
      if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
          continue
      made = client_service(node, {})
      if made is not None:
          out.append({"file": file, "service": made or None, "method": None, "text": ast.get_source_segment(src, node.func), "line": node.lineno})
          continue
      service = client_service(node.func.value, names)
      if service is not None:
          text = ast.get_source_segment(src, node.func)
          out.append({"file": file, "service": service or None, "method": node.func.attr, "text": text, "line": node.lineno})
print(json.dumps(out))
`;
  const args = files.flatMap((file) => [file, join(ROOT, file)]);
  const r = spawnSync('python3', ['-c', program, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`Could not parse ${files.join(', ')}: ${r.stderr}`);
  return JSON.parse(r.stdout) as ReturnType<typeof boto3Calls>;
}

export function glueScriptNeeds(principal: PrincipalName): Need[] {
  const text = source(GLUE_SCRIPT);
  const needs: Need[] = [];
  for (const call of boto3Calls(GLUE_PYTHON))
    for (const action of call.service === null
      ? [`(a boto3 client of a service named at run time, line ${call.line})`]
      : call.method === null
        ? BOTO3_ACTIONS[call.service]
          ? []
          : [`(unmapped boto3 client "${call.service}")`]
        : (BOTO3_ACTIONS[call.service]?.[call.method] ?? [`(unmapped boto3 ${call.service}.${call.method})`]))
      needs.push({
        principal,
        action,
        source: `${call.file}: ${call.text}(`,
        ...(call.method ? { mention: call.text } : {}),
      });
  const covered: [number, number][] = [];
  for (const call of GLUE_LIBRARY_CALLS)
    for (const m of text.matchAll(call.pattern)) {
      covered.push([m.index, m.index + m[0].length]);
      for (const action of call.actions)
        needs.push({ principal, action, source: `${GLUE_SCRIPT}: ${call.what}` });
    }
  for (const m of text.matchAll(GLUE_IO))
    if (!covered.some(([a, b]) => m.index >= a && m.index < b))
      needs.push({
        principal,
        action: `(unrecognized AWS I/O "${m[0]}" at line ${text.slice(0, m.index).split('\n').length})`,
        source: GLUE_SCRIPT,
      });
  return dedupe(needs);
}

// ---------------------------------------------------------------- the state machine

const SDK_SERVICE_IAM: Record<string, string> = { redshiftdata: 'redshift-data', sfn: 'states' };

/** A glob for the value of a Task parameter: literal, a JsonPath into what the drop is, or States.Format of those. */
function parameterGlob(w: World, name: string, params: Json, paths: Record<string, string>): string {
  if (typeof params[name] === 'string') return params[name];
  const expr = params[`${name}.$`];
  if (typeof expr !== 'string') throw new Error(`The Task has no parameter ${name}.`);
  return expressionGlob(expr, paths);
}

function expressionGlob(expr: string, paths: Record<string, string>): string {
  const e = expr.trim();
  if (e === '$$.Execution.Name' || e === '$$.Execution.Id') return '*';
  if (e in paths) return paths[e]!;
  const format = /^States\.Format\('((?:[^'\\]|\\.)*)'\s*((?:,\s*[^,)]+)*)\)$/.exec(e);
  if (format) {
    const args = format[2]!
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean);
    let i = 0;
    return format[1]!.replace(/\{\}/g, () => expressionGlob(args[i++] ?? '', paths));
  }
  throw new Error(`The drift check cannot tell what ${expr} names; teach test/infra/iam/code-calls.ts.`);
}

/** Every Task state, in nested branches and maps too. */
function tasks(definition: Json): [string, Json][] {
  const out: [string, Json][] = [];
  const walk = (states: Record<string, Json>): void => {
    for (const [name, s] of Object.entries(states)) {
      if (s.Type === 'Task') out.push([name, s]);
      for (const b of (s.Branches as Json[] | undefined) ?? []) walk(b.States as Record<string, Json>);
      const processor = (s.ItemProcessor ?? s.Iterator) as Json | undefined;
      if (processor) walk(processor.States as Record<string, Json>);
    }
  };
  walk(definition.States as Record<string, Json>);
  return out;
}

/**
 * What the execution input's JsonPaths stand for: the Pass state that describes the drop copies the
 * S3 event's bucket and key, which the rule's event pattern constrains.
 */
function dropPaths(w: World, definition: Json): Record<string, string> {
  const { rule } = wiring(w);
  const pattern = (w.resolve(w.resource(rule).Properties) as Json).EventPattern as {
    detail: { bucket: { name: string[] }; object: { key: { wildcard?: string; prefix?: string }[] } };
  };
  const key = pattern.detail.object.key[0]!;
  const event: Record<string, string> = {
    '$.detail.bucket.name': pattern.detail.bucket.name[0]!,
    '$.detail.object.key': key.wildcard ?? `${key.prefix ?? ''}*`,
  };
  const paths: Record<string, string> = { ...event };
  // The archive step copies from the CopySource the ETL job returns: the drop's own bucket/key,
  // URL-encoded (the results' source, which the job makes of its bucket and key arguments).
  const job = source(GLUE_SCRIPT);
  if (
    /"copySource":\s*copy_source\(source_\["bucket"\],\s*source_\["key"\]\)/.test(source(GLUE_OUTCOME)) &&
    /bucket, key, execution = ARGS\["bucket"\], ARGS\["key"\], ARGS\["execution"\]/.test(job) &&
    /movies_outcome\.source\(bucket, key,/.test(job)
  )
    paths['$.results.value.copySource'] = `${event['$.detail.bucket.name']}/${event['$.detail.object.key']}`;
  for (const s of Object.values(definition.States as Record<string, Json>))
    if (s.Type === 'Pass' && typeof s.ResultPath === 'string' && s.Parameters)
      for (const [k, v] of Object.entries(s.Parameters as Json))
        if (k.endsWith('.$') && typeof v === 'string' && v in event)
          paths[`${s.ResultPath}.${k.slice(0, -2)}`] = event[v]!;
  return paths;
}

export function stateMachineNeeds(w: World, principal: PrincipalName): Need[] {
  const { pipeline } = wiring(w);
  const definition = w.definition();
  const paths = dropPaths(w, definition);
  const arn = (service: string, resource: string): string =>
    `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
  const object = (bucket: string, key: string): string => `arn:aws:s3:::${bucket}/${key}`;
  const needs: Need[] = [];
  const need = (state: string, action: string, resource: string, context?: Record<string, string>): void =>
    void needs.push({
      principal,
      action,
      resource,
      source: `state "${state}"`,
      ...(context ? { context } : {}),
    });
  for (const [name, s] of tasks(definition)) {
    const resource = String(s.Resource);
    const params = (s.Parameters ?? {}) as Json;
    const sdk = /^arn:aws:states:::aws-sdk:(\w+):(\w+)$/.exec(resource);
    if (sdk) {
      const [, service, api] = sdk as unknown as [string, string, string];
      const op = `${service}:${api}`;
      const iam = `${SDK_SERVICE_IAM[service] ?? service}:${api[0]!.toUpperCase()}${api.slice(1)}`;
      const p = (n: string): string => parameterGlob(w, n, params, paths);
      switch (op) {
        case 'glue:startCrawler':
        case 'glue:getCrawler':
          need(name, iam, arn('glue', `crawler/${p('Name')}`));
          break;
        case 's3:getObject':
        case 's3:deleteObject':
          need(name, iam, object(p('Bucket'), p('Key')));
          break;
        case 's3:copyObject': {
          const from = p('CopySource');
          need(name, 's3:GetObject', `arn:aws:s3:::${from}`);
          need(name, 's3:GetObjectTagging', `arn:aws:s3:::${from}`);
          need(name, 's3:PutObject', object(p('Bucket'), p('Key')));
          break;
        }
        case 'redshiftdata:batchExecuteStatement':
        case 'redshiftdata:executeStatement': {
          const workgroup = w.one(
            'AWS::RedshiftServerless::Workgroup',
            (_, id) => w.ref(id) === p('WorkgroupName'),
          );
          need(name, iam, w.getAtt(workgroup, 'Workgroup.WorkgroupArn'));
          if ('SecretArn' in params || 'SecretArn.$' in params)
            need(name, 'secretsmanager:GetSecretValue', p('SecretArn'));
          break;
        }
        case 'redshiftdata:describeStatement':
        case 'redshiftdata:getStatementResult':
          need(name, iam, '*');
          break;
        default:
          needs.push({ principal, action: `(unmapped Task ${resource})`, source: `state "${name}"` });
      }
      continue;
    }
    switch (resource) {
      case 'arn:aws:states:::glue:startJobRun.sync': {
        const job = arn('glue', `job/${parameterGlob(w, 'JobName', params, paths)}`);
        for (const a of ['glue:StartJobRun', 'glue:GetJobRun', 'glue:GetJobRuns', 'glue:BatchStopJobRun'])
          need(name, a, job);
        break;
      }
      case 'arn:aws:states:::glue:startJobRun':
        need(name, 'glue:StartJobRun', arn('glue', `job/${parameterGlob(w, 'JobName', params, paths)}`));
        break;
      case 'arn:aws:states:::sns:publish': {
        const topicArn = parameterGlob(w, 'TopicArn', params, paths);
        need(name, 'sns:Publish', topicArn);
        const topic = w.ids('AWS::SNS::Topic', (_, id) => w.ref(id) === topicArn)[0];
        const key = topic ? w.resource(topic).Properties?.KmsMasterKeyId : undefined;
        if (key !== undefined)
          for (const a of ['kms:GenerateDataKey', 'kms:Decrypt'])
            need(name, a, String(w.resolve(key)), { 'kms:ViaService': `sns.${REGION}.amazonaws.com` });
        break;
      }
      default:
        needs.push({ principal, action: `(unmapped Task ${resource})`, source: `state "${name}"` });
    }
  }
  const props = w.resource(pipeline).Properties ?? {};
  if ((props.TracingConfiguration as Json | undefined)?.Enabled === true)
    for (const a of [
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
      'xray:GetSamplingRules',
      'xray:GetSamplingTargets',
    ])
      needs.push({ principal, action: a, resource: '*', source: 'TracingConfiguration' });
  if (props.LoggingConfiguration)
    for (const a of LOG_DELIVERY)
      needs.push({ principal, action: a, resource: '*', source: 'LoggingConfiguration' });
  return dedupe(needs);
}

// ---------------------------------------------------------------- CDK's deploy-time handlers

const CDK = 'node_modules/aws-cdk-lib';
/** The code of CDK's OIDC provider handler, which the Custom::AWSCDKOpenIdConnectProvider's function runs. */
export const OIDC_HANDLER = `${CDK}/custom-resource-handlers/dist/aws-iam/oidc-handler/index.js`;
/** The code of AwsCustomResource's singleton function. */
export const AWS_CUSTOM_RESOURCE_HANDLER = `${CDK}/custom-resource-handlers/dist/custom-resources/aws-custom-resource-handler/index.js`;
/** The provider framework's outbound calls (the Provider's onEvent and isComplete functions run it). */
export const PROVIDER_FRAMEWORK_OUTBOUND = `${CDK}/custom-resources/lib/provider-framework/runtime/outbound.js`;

/**
 * The IAM client methods CDK's OIDC provider handler calls (through one lazily created
 * aggregated client). A v3 aggregated client's method is its operation's name with a lower-case
 * first letter, and IAM's actions are named after its operations.
 */
export function oidcHandlerCalls(): string[] {
  const text = source(OIDC_HANDLER);
  const clients = [...text.matchAll(/require\("@aws-sdk\/client-([\w-]+)"\)/g)].map((m) => m[1]);
  const getter = /function (\w+)\(\)\{return (\w+)\|\|\(\2=new \w+\.IAM\(/.exec(text);
  if (clients.join() !== 'iam' || !getter)
    throw new Error(`${OIDC_HANDLER} no longer looks as the IAM tests read it: read what it calls again.`);
  return [...text.matchAll(new RegExp(`\\b${getter[1]}\\(\\)\\.(\\w+)\\(`, 'g'))].map((m) => m[1]!);
}

/**
 * The SDK calls of the provider framework's runtime: `<client>.<method>(` on the clients it
 * creates, and the waiters it runs (`waitUntilFunctionActiveV2` polls GetFunction).
 */
export function providerFrameworkCalls(): string[] {
  const text = source(PROVIDER_FRAMEWORK_OUTBOUND);
  const clients = new Map(
    [...text.matchAll(/(\w+)=new client_(\w+)_1\.\w+\(/g)].map((m) => [m[1]!, m[2]!] as const),
  );
  if (!clients.size)
    throw new Error(`${PROVIDER_FRAMEWORK_OUTBOUND}: no SDK client found; has its layout changed?`);
  const calls: string[] = [];
  for (const [variable, service] of clients)
    for (const m of text.matchAll(new RegExp(`\\b${variable}\\.(\\w+)\\(`, 'g')))
      calls.push(`${service}.${m[1]}`);
  for (const m of text.matchAll(/client_(\w+)_1\.(waitUntil\w+)\)/g)) calls.push(`${m[1]}.${m[2]}`);
  return calls;
}

/** What each provider-framework call needs. */
export const PROVIDER_FRAMEWORK_ACTIONS: Record<string, string> = {
  'lambda.invoke': 'lambda:InvokeFunction',
  // @aws-sdk/client-lambda's waiter sends GetFunctionCommand until the function is Active.
  'lambda.waitUntilFunctionActiveV2': 'lambda:GetFunction',
  'sfn.startExecution': 'states:StartExecution',
};

/** boto3 client calls in Python source, each with the top-level function it is in. */
export function pythonClientCalls(code: string): { service: string; method: string; in: string }[] {
  const clients = new Map(
    [...code.matchAll(/^(\w+)\s*=\s*boto3\.client\(\s*["'](\w[\w-]*)["']/gm)].map(
      (m) => [m[1]!, m[2]!] as const,
    ),
  );
  const out: { service: string; method: string; in: string }[] = [];
  for (const [variable, service] of clients)
    for (const m of code.matchAll(new RegExp(`\\b${variable}\\.(\\w+)\\(`, 'g'))) {
      const defs = [...code.slice(0, m.index).matchAll(/^def (\w+)\(/gm)];
      out.push({ service, method: m[1]!, in: defs.at(-1)?.[1] ?? '(module)' });
    }
  return out;
}

/** The IAM prefix of AwsCustomResource's service names (as in its properties: v2 or v3 names). */
const AWS_CUSTOM_RESOURCE_SERVICES: Record<string, string> = { EC2: 'ec2', '@aws-sdk/client-ec2': 'ec2' };

// ---------------------------------------------------------------- what the template configures

export function templateNeeds(w: World, principals: Record<PrincipalName, Principal>): Need[] {
  const byRole = new Map<string, PrincipalName>();
  for (const p of Object.values(principals)) if (p.kind === 'role') byRole.set(p.roleId, p.name);
  const needs: Need[] = [];
  const who = (roleValue: unknown, what: string): PrincipalName => {
    const id = World.target(roleValue);
    const name = id ? byRole.get(id) : undefined;
    if (!name)
      throw new Error(
        `${what} runs as ${id ?? String(roleValue)}, a role the IAM tables do not know: add it to principals.ts.`,
      );
    return name;
  };
  const arn = (service: string, resource: string): string =>
    `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
  const s3 = (url: string): string => `arn:aws:s3:::${url.replace(/^s3:\/\//, '')}`;
  const bucketOf = (url: string): string => `arn:aws:s3:::${url.replace(/^s3:\/\//, '').split('/')[0]}`;
  const connectionNeeds = (principal: PrincipalName, name: string, source: string): void => {
    const id = w.one(
      'AWS::Glue::Connection',
      (p) => (p.ConnectionInput as Json).Name === name,
      `connection ${name}`,
    );
    const input = (w.resolve(w.resource(id).Properties) as { ConnectionInput: Json }).ConnectionInput;
    const props = (input.ConnectionProperties ?? {}) as Record<string, string>;
    needs.push({
      principal,
      action: 'glue:GetConnection',
      resource: arn('glue', `connection/${name}`),
      source,
    });
    if (props.SECRET_ID) {
      const secret = w.ids('AWS::SecretsManager::Secret', (_, s) =>
        w.ref(s).split(':')[6]!.startsWith(`${props.SECRET_ID}-`),
      );
      needs.push({
        principal,
        action: 'secretsmanager:GetSecretValue',
        resource: secret.length === 1 ? w.ref(secret[0]!) : `(no secret named ${props.SECRET_ID})`,
        source: `${source}: SECRET_ID`,
      });
    }
    const net = input.PhysicalConnectionRequirements as { SubnetId?: string } | undefined;
    if (net?.SubnetId)
      needs.push({
        principal,
        action: 'ec2:CreateNetworkInterface',
        resource: arn('ec2', `subnet/${net.SubnetId}`),
        source: `${source}: its subnet`,
      });
  };
  const securityNeeds = (
    principal: PrincipalName,
    name: string | undefined,
    kind: 'jobs' | 'crawlers',
    source: string,
  ): void => {
    if (!name) return;
    const id = w.one(
      'AWS::Glue::SecurityConfiguration',
      (p) => p.Name === name,
      `security configuration ${name}`,
    );
    const enc = (w.resolve(w.resource(id).Properties) as { EncryptionConfiguration: Json })
      .EncryptionConfiguration as {
      CloudWatchEncryption?: { CloudWatchEncryptionMode?: string; KmsKeyArn?: string };
      JobBookmarksEncryption?: { JobBookmarksEncryptionMode?: string; KmsKeyArn?: string };
    };
    if (enc.CloudWatchEncryption?.CloudWatchEncryptionMode === 'SSE-KMS') {
      needs.push({
        principal,
        action: 'logs:AssociateKmsKey',
        resource: arn('logs', `log-group:/aws-glue/${kind}*`),
        source: `${source}: CloudWatch SSE-KMS`,
      });
      for (const a of ['kms:GenerateDataKey', 'kms:Decrypt'])
        needs.push({
          principal: `logs.${REGION}.amazonaws.com`,
          action: a,
          resource: enc.CloudWatchEncryption.KmsKeyArn!,
          source: `${source}: CloudWatch SSE-KMS`,
        });
    }
    if (enc.JobBookmarksEncryption?.JobBookmarksEncryptionMode === 'CSE-KMS')
      for (const a of ['kms:GenerateDataKey', 'kms:Decrypt'])
        needs.push({
          principal,
          action: a,
          resource: enc.JobBookmarksEncryption.KmsKeyArn!,
          source: `${source}: job bookmarks CSE-KMS`,
        });
  };

  for (const id of w.ids('AWS::Glue::Job')) {
    const job = w.resolve(w.resource(id).Properties) as {
      Name: string;
      Command: { ScriptLocation: string };
      DefaultArguments?: Record<string, string>;
      Connections?: { Connections?: string[] };
      SecurityConfiguration?: string;
    };
    const principal = who(w.resource(id).Properties!.Role, `The Glue job ${job.Name}`);
    const source = `Glue job ${job.Name}`;
    needs.push({
      principal,
      action: 's3:GetObject',
      resource: s3(job.Command.ScriptLocation),
      source: `${source}: ScriptLocation`,
    });
    const args = job.DefaultArguments ?? {};
    if (args['--TempDir']) {
      for (const a of ['s3:PutObject', 's3:GetObject'])
        needs.push({
          principal,
          action: a,
          resource: `${s3(args['--TempDir'])}*`,
          source: `${source}: --TempDir`,
        });
      needs.push({
        principal,
        action: 's3:ListBucket',
        resource: bucketOf(args['--TempDir']),
        source: `${source}: --TempDir`,
      });
      // The role the job hands Redshift for COPY (aws_iam_role) reads what it staged there.
      const copyRole = (w.resource(id).Properties!.DefaultArguments as Json)['--redshift_role'];
      if (copyRole !== undefined) {
        const copier = who(copyRole, `${source}: --redshift_role`);
        needs.push({
          principal: copier,
          action: 's3:GetObject',
          resource: `${s3(args['--TempDir'])}*`,
          source: `${source}: --redshift_role reads the TempDir`,
        });
        needs.push({
          principal: copier,
          action: 's3:ListBucket',
          resource: bucketOf(args['--TempDir']),
          source: `${source}: --redshift_role lists the TempDir`,
        });
      }
    }
    if (args['--enable-metrics'] === 'true')
      needs.push({
        principal,
        action: 'cloudwatch:PutMetricData',
        resource: '*',
        source: `${source}: --enable-metrics`,
      });
    // A Glue job run writes its driver's and executors' logs to CloudWatch Logs.
    for (const a of ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'])
      needs.push({
        principal,
        action: a,
        resource: arn('logs', 'log-group:/aws-glue/jobs*'),
        source: `${source}: logs`,
      });
    for (const c of job.Connections?.Connections ?? [])
      connectionNeeds(principal, c, `${source}: connection ${c}`);
    securityNeeds(principal, job.SecurityConfiguration, 'jobs', `${source}: security configuration`);
  }

  for (const id of w.ids('AWS::Glue::Crawler')) {
    const crawler = w.resolve(w.resource(id).Properties) as {
      Name: string;
      Targets: { S3Targets?: { Path: string }[]; JdbcTargets?: { ConnectionName: string }[] };
      CrawlerSecurityConfiguration?: string;
    };
    const principal = who(w.resource(id).Properties!.Role, `The Glue crawler ${crawler.Name}`);
    const source = `Glue crawler ${crawler.Name}`;
    for (const t of crawler.Targets.S3Targets ?? []) {
      needs.push({
        principal,
        action: 's3:ListBucket',
        resource: bucketOf(t.Path),
        source: `${source}: S3 target`,
      });
      needs.push({
        principal,
        action: 's3:GetObject',
        resource: `${s3(t.Path)}*`,
        source: `${source}: S3 target`,
      });
    }
    for (const t of crawler.Targets.JdbcTargets ?? [])
      connectionNeeds(principal, t.ConnectionName, `${source}: JDBC target`);
    for (const a of ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'])
      needs.push({
        principal,
        action: a,
        resource: arn('logs', 'log-group:/aws-glue/crawlers*'),
        source: `${source}: logs`,
      });
    needs.push({ principal, action: 'glue:UpdateTable', source: `${source}: writes the catalog` });
    securityNeeds(
      principal,
      crawler.CrawlerSecurityConfiguration,
      'crawlers',
      `${source}: security configuration`,
    );
  }

  // Lambda writes each function's logs to its log group, with the function's role; with no
  // LoggingConfig it first creates /aws/lambda/<function name> (Lambda's documentation).
  for (const id of w.ids('AWS::Lambda::Function')) {
    const principal = who(w.resource(id).Properties?.Role, `The function ${w.ref(id)}`);
    const group = (w.resource(id).Properties?.LoggingConfig as Json | undefined)?.LogGroup;
    const name = group === undefined ? `/aws/lambda/${w.ref(id)}` : String(w.resolve(group));
    if (group === undefined)
      needs.push({
        principal,
        action: 'logs:CreateLogGroup',
        resource: arn('logs', `log-group:${name}`),
        source: `function ${w.ref(id)}: its log group`,
      });
    for (const a of ['logs:CreateLogStream', 'logs:PutLogEvents'])
      needs.push({
        principal,
        action: a,
        resource: arn('logs', `log-group:${name}:log-stream:*`),
        source: `function ${w.ref(id)}: its logs`,
      });
  }

  // EventBridge: each target of a rule, and its dead-letter queue.
  for (const id of w.ids('AWS::Events::Rule'))
    for (const t of (w.resource(id).Properties?.Targets as Json[] | undefined) ?? []) {
      const target = String(w.resolve(t.Arn));
      if (t.RoleArn !== undefined && target.includes(':states:'))
        needs.push({
          principal: who(t.RoleArn, `The target of rule ${id}`),
          action: 'states:StartExecution',
          resource: target,
          source: `rule ${w.ref(id)}: target`,
        });
      const dlq = (t.DeadLetterConfig as Json | undefined)?.Arn;
      if (dlq !== undefined)
        needs.push({
          principal: 'events.amazonaws.com',
          action: 'sqs:SendMessage',
          resource: String(w.resolve(dlq)),
          context: { 'aws:SourceArn': w.getAtt(id, 'Arn') },
          source: `rule ${w.ref(id)}: dead-letter queue`,
        });
    }

  // SNS delivers to Lambda subscribers; Function URLs without IAM auth are invoked by anyone.
  for (const id of w.ids('AWS::SNS::Subscription', (p) => p.Protocol === 'lambda')) {
    const s = w.resolve(w.resource(id).Properties) as { Endpoint: string; TopicArn: string };
    needs.push({
      principal: 'sns.amazonaws.com',
      action: 'lambda:InvokeFunction',
      resource: s.Endpoint,
      context: { 'aws:SourceArn': s.TopicArn },
      source: `subscription of ${s.TopicArn}`,
    });
  }
  for (const id of w.ids('AWS::Lambda::Url', (p) => p.AuthType === 'NONE')) {
    const fn = String(w.resolve(w.resource(id).Properties!.TargetFunctionArn));
    for (const a of ['lambda:InvokeFunctionUrl', 'lambda:InvokeFunction'])
      needs.push({ principal: 'anyone (Slack)', action: a, resource: fn, source: `Function URL of ${fn}` });
  }

  // The schema custom resource: the statements run on the workgroup and with the secret its properties name.
  for (const id of w.ids('Custom::MoviesSchema')) {
    const p = w.resolve(w.resource(id).Properties) as {
      WorkgroupName: string;
      SecretArn?: string;
      Users?: { Name: string; SecretArn: string }[];
    };
    const workgroup = w.one('AWS::RedshiftServerless::Workgroup', (_, g) => w.ref(g) === p.WorkgroupName);
    needs.push({
      principal: 'schema handler',
      action: 'redshift-data:BatchExecuteStatement',
      resource: w.getAtt(workgroup, 'Workgroup.WorkgroupArn'),
      source: 'Custom::MoviesSchema: WorkgroupName',
    });
    if (p.SecretArn)
      needs.push({
        principal: 'schema handler',
        action: 'secretsmanager:GetSecretValue',
        resource: p.SecretArn,
        source: 'Custom::MoviesSchema: SecretArn',
      });
    for (const user of p.Users ?? [])
      needs.push({
        principal: 'schema handler',
        action: 'secretsmanager:GetSecretValue',
        resource: user.SecretArn,
        source: `Custom::MoviesSchema: the secret of database user ${user.Name}`,
      });
  }

  // The function a ServiceToken (or an environment variable) names, and a function's environment.
  const fn = (value: unknown): string => {
    const id = World.target(value);
    if (!id || w.resource(id).Type !== 'AWS::Lambda::Function')
      throw new Error(`${JSON.stringify(value)} names no function.`);
    return id;
  };
  const env = (id: string): Json =>
    ((w.resource(id).Properties?.Environment as Json | undefined)?.Variables as Json | undefined) ?? {};

  // The bucket-name check asks S3 about the bucket its properties name (HeadBucket: s3:ListBucket).
  for (const id of w.ids('Custom::MoviesBucketNameCheck')) {
    const handler = fn(env(fn(w.resource(id).Properties!.ServiceToken)).USER_ON_EVENT_FUNCTION_ARN);
    needs.push({
      principal: who(w.resource(handler).Properties!.Role, 'The bucket-name check handler'),
      action: 's3:ListBucket',
      resource: `arn:aws:s3:::${String(w.resolve(w.resource(id).Properties!.BucketName))}`,
      source: 'Custom::MoviesBucketNameCheck: BucketName',
    });
  }

  // CDK's provider framework (runtime/framework.js): onEvent invokes the user's onEvent function and,
  // when there is an isComplete function, starts the waiter; isComplete invokes the user's isComplete.
  // Each invocation may first wait for the function to be active (outbound.js).
  const framework = providerFrameworkCalls();
  for (const id of w.ids('AWS::Lambda::Function', (p) => String(p.Handler).startsWith('framework.'))) {
    const step = String(w.resource(id).Properties!.Handler).slice('framework.'.length);
    const vars = env(id);
    const principal = who(w.resource(id).Properties!.Role, `CDK's provider ${step} (${w.ref(id)})`);
    const targets: [call: string, resource: unknown][] = [];
    const invokes = (v: unknown): void =>
      void targets.push(['lambda.invoke', v], ['lambda.waitUntilFunctionActiveV2', v]);
    if (step === 'onEvent') {
      invokes(vars.USER_ON_EVENT_FUNCTION_ARN);
      if (vars.USER_IS_COMPLETE_FUNCTION_ARN !== undefined)
        targets.push(['sfn.startExecution', vars.WAITER_STATE_MACHINE_ARN]);
    } else if (step === 'isComplete') invokes(vars.USER_IS_COMPLETE_FUNCTION_ARN);
    for (const [call, resource] of targets)
      needs.push({
        principal,
        action: framework.includes(call)
          ? (PROVIDER_FRAMEWORK_ACTIONS[call] ?? `(unmapped provider framework call ${call})`)
          : `(the provider framework no longer calls ${call})`,
        resource: String(w.resolve(resource)),
        source: `CDK's provider ${step} (${w.ref(id)}): ${call}`,
      });
  }

  // AwsCustomResource: its handler makes the SDK call each request type's properties name (and
  // assumes the role they name, if any).
  for (const id of w.ids('Custom::AWS')) {
    const principal = who(
      w.resource(fn(w.resource(id).Properties!.ServiceToken)).Properties!.Role,
      `The AwsCustomResource ${id}`,
    );
    for (const request of ['Create', 'Update', 'Delete']) {
      const value = w.resource(id).Properties![request];
      if (value === undefined) continue;
      const call = JSON.parse(String(w.resolve(value))) as {
        service: string;
        action: string;
        assumedRoleArn?: string;
      };
      const prefix = AWS_CUSTOM_RESOURCE_SERVICES[call.service];
      needs.push({
        principal,
        action: prefix
          ? `${prefix}:${call.action[0]!.toUpperCase()}${call.action.slice(1)}`
          : `(unmapped AwsCustomResource service ${call.service})`,
        source: `AwsCustomResource ${id}: ${request} calls ${call.service} ${call.action}`,
        mention: call.action,
      });
      if (call.assumedRoleArn)
        needs.push({
          principal,
          action: 'sts:AssumeRole',
          resource: call.assumedRoleArn,
          source: `AwsCustomResource ${id}: ${request} assumes a role`,
        });
    }
  }

  // CDK's bucket-notifications handler: its Python code is inline in the template. With Managed
  // on, the handler never calls handle_unmanaged (which reads the bucket's current configuration).
  for (const id of w.ids('Custom::S3BucketNotifications')) {
    const props = w.resource(id).Properties!;
    const handler = fn(props.ServiceToken);
    const principal = who(w.resource(handler).Properties!.Role, 'The bucket-notifications handler');
    const code = String((w.resource(handler).Properties!.Code as Json).ZipFile ?? '');
    const managed =
      String(props.Managed ?? true).toLowerCase() === 'true' &&
      /if managed:\s*\n\s*config = handle_managed\(/.test(code);
    const found = pythonClientCalls(code);
    if (!found.length)
      throw new Error(
        `The bucket-notifications handler ${handler} has no boto3 call: has CDK's code changed?`,
      );
    for (const c of found) {
      if (managed && c.in === 'handle_unmanaged') continue;
      for (const action of BOTO3_ACTIONS[c.service]?.[c.method] ?? [
        `(unmapped boto3 ${c.service}.${c.method})`,
      ])
        needs.push({
          principal,
          action,
          resource: `arn:aws:s3:::${String(w.resolve(props.BucketName))}`,
          source: `Custom::S3BucketNotifications: ${c.service}.${c.method} in ${c.in}`,
          mention: c.method,
        });
    }
  }

  // CDK's OIDC provider handler (aws-cdk-lib's code): every call is on the provider its Url names.
  for (const id of w.ids('Custom::AWSCDKOpenIdConnectProvider')) {
    const props = w.resolve(w.resource(id).Properties) as { Url: string };
    const principal = who(
      w.resource(fn(w.resource(id).Properties!.ServiceToken)).Properties!.Role,
      'The OIDC provider handler',
    );
    for (const method of oidcHandlerCalls())
      needs.push({
        principal,
        action: `iam:${method[0]!.toUpperCase()}${method.slice(1)}`,
        resource: `arn:aws:iam::${ACCOUNT}:oidc-provider/${new URL(props.Url).host}`,
        source: `Custom::AWSCDKOpenIdConnectProvider: ${method} (${OIDC_HANDLER})`,
        mention: method,
      });
  }
  // Each template holds the calls of the principals it deploys (the other synthesis holds the rest).
  return dedupe(needs).filter((n) => principals[n.principal].world === w);
}

function dedupe(needs: Need[]): Need[] {
  const seen = new Map<string, Need>();
  for (const n of needs) {
    const key = `${n.principal}|${n.action.toLowerCase()}|${n.resource ?? ''}|${JSON.stringify(n.context ?? {})}|${n.mention ?? ''}`;
    if (!seen.has(key)) seen.set(key, n);
  }
  return [...seen.values()];
}

/** A glob (`*` for any run of characters) as a regular expression. */
export function glob(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}
