/**
 * Publishing the outcome to SNS: success, quality alert, failure alert. The failure alert is
 * where every error ends: each catch records where it failed (state, error, cause), then one
 * publish and a Fail. A publish that fails keeps the run's outcome, adds why it went unpublished,
 * and fails (publishing a failure alert instead would rewrite the outcome, to a topic likely as
 * broken).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { VIEW_NAMES } from '../../../contract/sql.ts';
import { asText, failureOutcomeParameters, outcomeParameters } from './outcome.ts';
import { hasString, retryTransient, STATES, type Failures } from './shared.ts';

export interface PublishProps {
  readonly successTopic: sns.ITopic;
  readonly failureTopic: sns.ITopic;
}

export interface Publications {
  /** How the other phases' states fail into the failure alert. */
  readonly failures: Failures;
  /** Publishes the quality alert, then fails the run. */
  readonly quality: sfn.IChainable;
  /** Publishes the success outcome, then ends the run. */
  readonly success: sfn.IChainable;
}

export function publishPhase(scope: Construct, props: PublishProps): Publications {
  const stack = Stack.of(scope);

  // --- failure path: every catch records where it failed, then one publish + Fail ---
  const failureOutcome = new sfn.Pass(scope, STATES.buildFailureOutcome, {
    parameters: failureOutcomeParameters(stack),
    resultPath: '$.outcome',
  });
  const publishFailure = new tasks.SnsPublish(scope, STATES.publishFailure, {
    topic: props.failureTopic,
    message: sfn.TaskInput.fromJsonPathAt('$.outcomeText.text'),
    messageAttributes: { status: { value: 'FAILED' } },
    resultPath: sfn.JsonPath.DISCARD,
    taskTimeout: sfn.Timeout.duration(Duration.seconds(30)),
  });
  const failed = new sfn.Fail(scope, 'Pipeline failed', {
    errorPath: '$.failure.error',
    causePath: '$.outcomeText.text',
  });
  failureOutcome.next(asText(scope, 'Failure outcome as text')).next(publishFailure).next(failed);

  /**
   * Completes the {state, error} a catch recorded at `path` with the caught error's cause.
   * A caught error may come without a Cause (some States.* errors do), and a Pass that reads an
   * absent path fails uncatchably (States.Runtime): read the cause only when there is one.
   */
  const recordCause = (what: string, path: string, next: sfn.IChainable): sfn.Choice => {
    const record = (name: string, cause: string): sfn.Pass =>
      new sfn.Pass(scope, name, {
        parameters: {
          state: sfn.JsonPath.stringAt(`${path}.state`),
          error: sfn.JsonPath.stringAt(`${path}.error`),
          cause,
        },
        resultPath: path,
      });
    const noCause = sfn.JsonPath.format(
      '{} failed with {} and gave no cause.',
      sfn.JsonPath.stringAt(`${path}.state`),
      sfn.JsonPath.stringAt(`${path}.error`),
    );
    return new sfn.Choice(scope, `${what} has a cause?`)
      .when(
        hasString('$.error.Cause'),
        record(`Record the ${what.toLowerCase()} cause`, sfn.JsonPath.stringAt('$.error.Cause')).next(next),
      )
      .otherwise(record(`Record a ${what.toLowerCase()} without cause`, noCause).next(next));
  };
  const recordFailure = recordCause('Failure', '$.failure', failureOutcome);
  /** Retries, and catches any error into {state, error, cause} at `path` before going on to `next`. */
  const guard = <T extends sfn.TaskStateBase>(
    task: T,
    path = '$.failure',
    next: sfn.IChainable = recordFailure,
  ): T => {
    retryTransient(task);
    const record = new sfn.Pass(scope, `Record failure in ${task.stateId}`, {
      parameters: { state: task.stateId, error: sfn.JsonPath.stringAt('$.error.Error') },
      resultPath: path,
    });
    record.next(next);
    task.addCatch(record, { errors: ['States.ALL'], resultPath: '$.error' });
    return task;
  };

  // --- a publish that fails: keep the outcome, record why, fail as the run would have ---
  const notPublished = new sfn.Fail(scope, 'Outcome not published', {
    error: 'OutcomeNotPublished',
    causePath: '$.outcomeText.text',
  });
  const qualityFailed = new sfn.Fail(scope, 'Quality gate failed', {
    error: 'QualityGateFailed',
    causePath: '$.outcomeText.text',
  });
  const unpublished = asText(scope, 'Unpublished outcome as text').next(
    new sfn.Choice(scope, 'Which outcome went unpublished?')
      // A failed run keeps its first error as the execution's error.
      .when(sfn.Condition.stringEquals('$.outcome.status', 'FAILED'), failed)
      .when(sfn.Condition.stringEquals('$.outcome.status', 'QUALITY_FAILED'), qualityFailed)
      .otherwise(notPublished),
  );
  const recordPublishError = recordCause('Publish error', '$.outcome.publishError', unpublished);
  const publishGuard = <T extends sfn.TaskStateBase>(task: T): T =>
    guard(task, '$.outcome.publishError', recordPublishError);
  publishGuard(publishFailure);

  const failWith = (name: string, state: string, error: string, cause: string): sfn.Pass => {
    const record = new sfn.Pass(scope, name, {
      parameters: { state, error, cause },
      resultPath: '$.failure',
    });
    record.next(failureOutcome);
    return record;
  };

  // --- quality alert ---
  const qualityOutcome = new sfn.Pass(scope, STATES.buildQualityOutcome, {
    parameters: outcomeParameters(stack, []),
    resultPath: '$.outcome',
  });
  const publishQuality = publishGuard(
    new tasks.SnsPublish(scope, STATES.publishQuality, {
      topic: props.failureTopic,
      message: sfn.TaskInput.fromJsonPathAt('$.outcomeText.text'),
      messageAttributes: { status: { value: 'QUALITY_FAILED' } },
      resultPath: sfn.JsonPath.DISCARD,
      taskTimeout: sfn.Timeout.duration(Duration.seconds(30)),
    }),
  );
  qualityOutcome.next(asText(scope, 'Quality outcome as text')).next(publishQuality).next(qualityFailed);

  // --- success ---
  const successOutcome = new sfn.Pass(scope, 'Build success outcome', {
    parameters: outcomeParameters(stack, VIEW_NAMES),
    resultPath: '$.outcome',
  });
  const publishSuccess = publishGuard(
    new tasks.SnsPublish(scope, STATES.publishSuccess, {
      topic: props.successTopic,
      message: sfn.TaskInput.fromJsonPathAt('$.outcomeText.text'),
      messageAttributes: { status: { value: sfn.JsonPath.stringAt('$.outcome.status') } },
      resultPath: sfn.JsonPath.DISCARD,
      taskTimeout: sfn.Timeout.duration(Duration.seconds(30)),
    }),
  );
  const succeeded = new sfn.Succeed(scope, 'Done', { outputPath: '$.outcome' });
  successOutcome.next(asText(scope, 'Success outcome as text')).next(publishSuccess).next(succeeded);

  return {
    failures: { guard: (task) => guard(task), failWith, recordFailure },
    quality: qualityOutcome,
    success: successOutcome,
  };
}
