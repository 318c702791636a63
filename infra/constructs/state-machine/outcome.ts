/** The outcome a run publishes, as the parameters of the Pass states that build it. */
import type { Stack } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { executionConsoleUrl, OUTCOME_VERSION } from '../../../contract/outcome.ts';

function executionInfo(stack: Stack): Record<string, unknown> {
  return {
    arn: sfn.JsonPath.executionId,
    name: sfn.JsonPath.executionName,
    startedAt: sfn.JsonPath.executionStartTime,
    consoleUrl: sfn.JsonPath.format(executionConsoleUrl(stack.region), sfn.JsonPath.executionId),
  };
}

/** The outcome of a failed run: the drop and the {state, error, cause} recorded at $.failure. */
export function failureOutcomeParameters(stack: Stack): Record<string, unknown> {
  return {
    version: OUTCOME_VERSION,
    status: 'FAILED',
    source: sfn.JsonPath.objectAt('$.drop'),
    execution: executionInfo(stack),
    error: sfn.JsonPath.objectAt('$.failure'),
  };
}

/** The outcome of a run whose ETL finished: its results plus the execution and the refreshed views. */
export function outcomeParameters(stack: Stack, views: readonly string[]): Record<string, unknown> {
  return {
    version: OUTCOME_VERSION,
    status: sfn.JsonPath.stringAt('$.results.value.status'),
    source: sfn.JsonPath.objectAt('$.results.value.source'),
    execution: executionInfo(stack),
    quality: sfn.JsonPath.objectAt('$.results.value.quality'),
    load: sfn.JsonPath.objectAt('$.results.value.load'),
    quarantine: sfn.JsonPath.objectAt('$.results.value.quarantine'),
    views: [...views],
  };
}

/** SNS messages and Fail causes are strings: serialize the outcome once, to $.outcomeText.text. */
export function asText(scope: Construct, name: string): sfn.Pass {
  return new sfn.Pass(scope, name, {
    parameters: { text: sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt('$.outcome')) },
    resultPath: '$.outcomeText',
  });
}
