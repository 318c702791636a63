/**
 * The quality gate: results that failed the ruleset go to the quality alert, the rest on to the
 * view refresh. The results are checked complete first, since reading an absent field fails a
 * state uncatchably, with no alert.
 */
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { STATES, type Failures } from './shared.ts';

const RESULT_FIELDS = ['status', 'source', 'quality', 'load', 'quarantine', 'copySource'];

export function gatePhase(
  scope: Construct,
  failures: Failures,
  next: { readonly passed: sfn.IChainable; readonly failed: sfn.IChainable },
): sfn.Choice {
  return new sfn.Choice(scope, 'Results complete?')
    .when(
      sfn.Condition.and(...RESULT_FIELDS.map((f) => sfn.Condition.isPresent(`$.results.value.${f}`))),
      new sfn.Choice(scope, 'Quality gate passed?')
        .when(sfn.Condition.stringEquals('$.results.value.status', 'QUALITY_FAILED'), next.failed)
        .otherwise(next.passed),
    )
    .otherwise(
      failures.failWith(
        'The ETL results are incomplete',
        STATES.readResults,
        'ResultsIncomplete',
        `The ETL job's results lack a field the pipeline needs (${RESULT_FIELDS.join(', ')}): are the job script and the state machine from the same deploy?`,
      ),
    );
}
