/**
 * The tables follow the code: every call the code or the template makes (code-calls.ts) has an
 * allowed call in the table for the principal that makes it, on a matching resource. The
 * bucket-name check's calls are read from the synthesis with a fixed bucket name.
 */
import { describe, expect, it } from '@jest/globals';
import { synth } from '../stacks/synth.ts';
import { allowedCalls } from './calls.ts';
import {
  aggregatedClientsIn,
  commandsIn,
  AWS_CUSTOM_RESOURCE_HANDLER,
  ENTRY_POINTS,
  glob,
  glueScriptNeeds,
  libStorageCommands,
  NOT_SENT_BY_A_DEPLOYED_ROLE,
  oidcHandlerCalls,
  providerFrameworkCalls,
  pythonClientCalls,
  reachable,
  SCANNED_ROOMS,
  scannedCommands,
  sdkNeeds,
  SDK_COMMAND_ACTIONS,
  source,
  stateMachineNeeds,
  templateNeeds,
  type Need,
} from './code-calls.ts';
import { findPrincipals, NAMED_BUCKET_CONTEXT } from './principals.ts';
import { wiring } from './wiring.ts';
import { World, type Json } from './world.ts';

const world = new World(synth('eu-west-1').json as never);
const namedBucket = new World(synth('eu-west-1', NAMED_BUCKET_CONTEXT).json as never);
const principals = findPrincipals(world, namedBucket);
const table = allowedCalls(world, principals);

const needs: Need[] = [
  ...sdkNeeds(),
  ...glueScriptNeeds('Glue job and crawlers'),
  ...stateMachineNeeds(world, 'state machine'),
  ...templateNeeds(world, principals),
  ...templateNeeds(namedBucket, principals),
];

function covered(n: Need): boolean {
  return table.some((c) => {
    if (c.principal !== n.principal || c.action.toLowerCase() !== n.action.toLowerCase()) return false;
    const resources = typeof c.resource === 'string' ? [c.resource] : c.resource;
    if (n.resource !== undefined && !resources.some((r) => glob(n.resource!).test(r))) return false;
    if (n.mention !== undefined && !c.why.includes(n.mention)) return false;
    return Object.entries(n.context ?? {}).every(([k, v]) => c.context?.[k] === v);
  });
}

describe('the IAM tables against the code', () => {
  it.each(
    needs.map(
      (n) =>
        [`${n.principal}: ${n.action}${n.resource ? ` on ${n.resource}` : ''} (${n.source})`, n] as const,
    ),
  )('lists %s', (_, n) => {
    if (!covered(n))
      throw new Error(
        `${n.source} makes ${n.principal} call ${n.action}${n.resource ? ` on ${n.resource}` : ''}${n.context ? ` with ${JSON.stringify(n.context)}` : ''}, and test/infra/iam/calls.ts lists no such call${n.mention ? ` naming ${n.mention} in its why` : ''}: add it (and the permission, if the simulation then denies it).`,
      );
  });

  it('sees commands under another name: imported as an alias, or through a namespace', () => {
    const code = [
      "import { DeleteObjectCommand as RemoveObject, paginateListObjectsV2 as pages } from '@aws-sdk/client-s3';",
      "import * as sfn from '@aws-sdk/client-sfn';",
      'await s3.send(new RemoveObject({ Bucket, Key }));',
      'for await (const page of pages({ client: s3 }, { Bucket })) void page;',
      'await client.send(new sfn.StopExecutionCommand({ executionArn }));',
    ].join('\n');
    expect(commandsIn(code, 'x.ts').map((c) => c.command)).toEqual([
      'StopExecution',
      'DeleteObject',
      'ListObjectsV2',
    ]);
  });

  it('maps every SDK command the rooms send to IAM actions', () => {
    const unmapped = scannedCommands().filter((c) => !SDK_COMMAND_ACTIONS[c.command]);
    expect(unmapped).toEqual([]);
  });

  it(`knows who sends every SDK command in ${SCANNED_ROOMS.map((r) => `${r}/`).join(', ')}`, () => {
    const run = new Set(Object.values(ENTRY_POINTS).flatMap((e) => [...reachable(e!)]));
    const orphans = scannedCommands().filter(
      (c) =>
        !run.has(c.file) &&
        !NOT_SENT_BY_A_DEPLOYED_ROLE.some((x) => x.file === c.file && x.command === c.command),
    );
    expect(orphans).toEqual([]);
  });

  it.each(NOT_SENT_BY_A_DEPLOYED_ROLE.map((x) => [`${x.command} in ${x.file}`, x] as const))(
    'still has a reason not to list %s',
    (_, x) => {
      expect({ reason: x.reason, stillTrue: x.stillTrue() }).toEqual({ reason: x.reason, stillTrue: true });
      if (!x.file.startsWith('node_modules/')) expect(source(x.file)).toContain(`${x.command}Command(`);
    },
  );

  it('sees every call: no aggregated SDK clients (new S3(), s3.putObject()) in the code principals run', () => {
    const files = [...new Set(Object.values(ENTRY_POINTS).flatMap((e) => [...reachable(e!)]))];
    expect(files.filter((f) => aggregatedClientsIn(source(f)).length)).toEqual([]);
  });

  // A role in the template that the tables do not know would make calls no test looks at.
  it.each([
    ['the stack as configured by default', world],
    ['the stack with a fixed bucket name', namedBucket],
  ] as const)('knows every role of %s', (_, w) => {
    const known = new Set(Object.values(principals).flatMap((p) => (p.kind === 'role' ? [p.roleId] : [])));
    expect(w.ids('AWS::IAM::Role').filter((id) => !known.has(id))).toEqual([]);
  });

  it('finds the calls it checks (the scan is not silently empty)', () => {
    const principalsWithNeeds = new Set(needs.map((n) => n.principal));
    for (const p of [
      'state machine',
      'Glue job and crawlers',
      'bot Lambda',
      'GitHub drop role',
      'GitHub read role',
      'schema handler',
      'schema provider onEvent',
      'schema provider isComplete',
      'bucket-name check handler',
      'bucket-name check provider onEvent',
      'S3 prefix-list lookup',
      'bucket notifications handler',
      'GitHub OIDC provider handler',
    ] as const)
      expect([...principalsWithNeeds]).toContain(p);
    // What CDK's handlers call, as their code in aws-cdk-lib (and the template, for bucket notifications) says.
    expect(new Set(oidcHandlerCalls())).toEqual(
      new Set([
        'createOpenIDConnectProvider',
        'deleteOpenIDConnectProvider',
        'updateOpenIDConnectProviderThumbprint',
        'addClientIDToOpenIDConnectProvider',
        'removeClientIDFromOpenIDConnectProvider',
      ]),
    );
    expect(new Set(providerFrameworkCalls())).toEqual(
      new Set(['lambda.invoke', 'lambda.waitUntilFunctionActiveV2', 'sfn.startExecution']),
    );
    // AwsCustomResource's handler calls what the request type's properties name (service, action), nothing else.
    const custom = source(AWS_CUSTOM_RESOURCE_HANDLER);
    expect(custom).toMatch(/=\w+\.ResourceProperties\[\w+\.RequestType\]/);
    expect(custom).toMatch(/new \w+\.ApiCall\(\w+\.service,\w+\.action\)/);
    const notifications = wiring(world).bucketNotifications.handler;
    const code = String((world.resource(notifications).Properties!.Code as Json).ZipFile);
    expect(pythonClientCalls(code)).toEqual([
      { service: 's3', method: 'put_bucket_notification_configuration', in: 'handler' },
      { service: 's3', method: 'get_bucket_notification_configuration', in: 'handle_unmanaged' },
    ]);
    // lib-storage's Upload: one PutObject, or a multipart upload that is aborted when a part fails.
    expect(new Set(libStorageCommands().map((c) => c.command))).toEqual(
      new Set([
        'PutObject',
        'CreateMultipartUpload',
        'UploadPart',
        'CompleteMultipartUpload',
        'AbortMultipartUpload',
        'PutObjectTagging',
      ]),
    );
  });
});
