/** What the phases of the pipeline's state machine share: state names, retries, failure handling. */
import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';

/** State names: one list, in the contract, since the twin and the Action's report read them too. */
export { STATES } from '../../../contract/pipeline-states.ts';

const TRANSIENT = [
  'ThrottlingException',
  'Glue.ThrottlingException',
  'Glue.InternalServiceException',
  'Glue.OperationTimeoutException',
  'RedshiftData.ThrottlingException',
  'RedshiftData.InternalServerException',
  'S3.S3Exception',
  'S3.SdkClientException',
  'Sns.ThrottledException',
  'Sns.InternalErrorException',
];

/** Every Task retries throttling and transient service errors, with backoff and full jitter. */
export function retryTransient(task: sfn.TaskStateBase): void {
  task.addRetry({
    errors: TRANSIENT,
    interval: Duration.seconds(2),
    maxAttempts: 5,
    backoffRate: 2,
    maxDelay: Duration.seconds(60),
    jitterStrategy: sfn.JitterType.FULL,
  });
}

/** The path holds a string (IsPresent first: a comparison on an absent path is a runtime error). */
export function hasString(path: string): sfn.Condition {
  return sfn.Condition.and(sfn.Condition.isPresent(path), sfn.Condition.isString(path));
}

/** How a phase's states fail into the failure alert (built with it, by the publish phase). */
export interface Failures {
  /** Retries the task, and catches any error into {state, error, cause} for the failure alert. */
  guard<T extends sfn.TaskStateBase>(task: T): T;
  /** Records a failure the pipeline itself found ({state, error, cause}), then alerts. */
  failWith(name: string, state: string, error: string, cause: string): sfn.Pass;
  /** Where a catch of its own goes once it has recorded {state, error} at $.failure. */
  readonly recordFailure: sfn.IChainable;
}

/**
 * A phase's first state, and how it goes on once it succeeded. Phases are built first and linked
 * after, in pipeline order: the definition lists its states in the order they were linked.
 */
export interface Phase {
  readonly start: sfn.IChainable;
  then(next: sfn.IChainable): void;
}
