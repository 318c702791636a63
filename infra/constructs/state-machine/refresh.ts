/**
 * The refresh phase: refresh the materialized views through the Redshift Data API, polling until
 * the batch finishes, and resubmit a refresh Redshift aborted for a serializable-isolation
 * conflict, with backoff.
 */
import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { refreshStatements } from '../../../contract/sql.ts';
import { hasString, STATES, type Failures, type Phase } from './shared.ts';

/**
 * How often a view refresh Redshift aborted for a serializable-isolation conflict is resubmitted,
 * and the first ceiling of the random wait before a resubmission (it doubles each time).
 */
export const REFRESH_CONFLICT = { resubmits: 5, firstCeilingSeconds: 15 } as const;

/** How Redshift words a serializable-isolation conflict (ERROR 1023) in a statement's error. */
export const SERIALIZABLE_ISOLATION_ERRORS = [
  '*Serializable isolation violation*',
  '*ERROR: 1023*',
  '*ERROR:1023*',
] as const;

export interface RefreshProps {
  readonly workgroupName: string;
  readonly workgroupArn: string;
  readonly database: string;
  /** The refresher's database user (it owns the views: only an owner may refresh one). */
  readonly secretArn: string;
}

export function refreshPhase(scope: Construct, failures: Failures, props: RefreshProps): Phase {
  const { guard, failWith } = failures;
  const refresh = guard(
    new tasks.CallAwsService(scope, STATES.refreshViews, {
      service: 'redshiftdata',
      action: 'batchExecuteStatement',
      iamAction: 'redshift-data:BatchExecuteStatement',
      parameters: {
        WorkgroupName: props.workgroupName,
        Database: props.database,
        SecretArn: props.secretArn,
        Sqls: refreshStatements(),
      },
      iamResources: [props.workgroupArn],
      resultSelector: { id: sfn.JsonPath.stringAt('$.Id') },
      resultPath: '$.refresh',
      taskTimeout: sfn.Timeout.duration(Duration.seconds(60)),
    }),
  );
  const waitRefresh = new sfn.Wait(scope, 'Wait for refresh', {
    time: sfn.WaitTime.duration(Duration.seconds(5)),
  });
  const getRefresh = guard(
    new tasks.CallAwsService(scope, STATES.getRefresh, {
      service: 'redshiftdata',
      action: 'describeStatement',
      iamAction: 'redshift-data:DescribeStatement',
      parameters: { Id: sfn.JsonPath.stringAt('$.refresh.id') },
      iamResources: ['*'],
      resultSelector: {
        id: sfn.JsonPath.stringAt('$.Id'),
        status: sfn.JsonPath.stringAt('$.Status'),
        statement: sfn.JsonPath.objectAt('$'),
      },
      resultPath: '$.refresh',
      taskTimeout: sfn.Timeout.duration(Duration.seconds(60)),
    }),
  );
  const refreshDone = new sfn.Choice(scope, 'Refresh finished?');
  // Redshift aborts a refresh that overlaps another run's refresh or MERGE in a way it cannot
  // serialize (ERROR 1023, "Serializable isolation violation on table ..."). Retrying is its
  // documented remedy: the batch is resubmitted up to 5 times, each after a wait drawn at
  // random between 1 s and a ceiling that doubles (15, 30, 60, 120, 240 s: 7 min 45 s at most
  // in all, about half that on average), the count kept in $.refreshAttempts. Loads are one
  // at a time, so what overlaps is one other run's MERGE or refresh, each over within minutes.
  const resetRefreshAttempts = new sfn.Pass(scope, 'Reset refresh attempts', {
    result: sfn.Result.fromObject({ conflicts: 0, ceiling: REFRESH_CONFLICT.firstCeilingSeconds }),
    resultPath: '$.refreshAttempts',
  });
  const countConflict = new sfn.Pass(scope, 'Count refresh conflicts', {
    parameters: {
      conflicts: sfn.JsonPath.mathAdd(sfn.JsonPath.numberAt('$.refreshAttempts.conflicts'), 1),
      ceiling: sfn.JsonPath.mathAdd(
        sfn.JsonPath.numberAt('$.refreshAttempts.ceiling'),
        sfn.JsonPath.numberAt('$.refreshAttempts.ceiling'),
      ),
      wait: sfn.JsonPath.mathRandom(1, sfn.JsonPath.numberAt('$.refreshAttempts.ceiling')),
    },
    resultPath: '$.refreshAttempts',
  });
  const waitToResubmit = new sfn.Wait(scope, 'Wait to resubmit the refresh', {
    time: sfn.WaitTime.secondsPath('$.refreshAttempts.wait'),
  });
  countConflict.next(waitToResubmit).next(refresh);
  const conflict = sfn.Condition.or(
    ...SERIALIZABLE_ISOLATION_ERRORS.map((p) => sfn.Condition.stringMatches('$.refresh.statement.Error', p)),
  );
  // A separate Choice: the error is matched only once it is known to be a string.
  const refreshError = new sfn.Choice(scope, 'Refresh aborted by a conflict?')
    .when(
      sfn.Condition.and(
        conflict,
        sfn.Condition.numberLessThan('$.refreshAttempts.conflicts', REFRESH_CONFLICT.resubmits),
      ),
      countConflict,
    )
    .when(
      conflict,
      failWith(
        'The view refresh kept conflicting',
        STATES.getRefresh,
        'RefreshConflict',
        sfn.JsonPath.format(
          'Redshift aborted the view refresh for a serializable-isolation conflict (ERROR 1023) with a concurrent refresh or load on every attempt: resubmitted {} times with backoff, it never finished. The last error: {}',
          sfn.JsonPath.stringAt('$.refreshAttempts.conflicts'),
          sfn.JsonPath.stringAt('$.refresh.statement.Error'),
        ),
      ),
    )
    .otherwise(
      failWith(
        'The view refresh failed',
        STATES.getRefresh,
        'RefreshFailed',
        sfn.JsonPath.stringAt('$.refresh.statement.Error'),
      ),
    );
  resetRefreshAttempts.next(refresh);
  refresh.next(waitRefresh).next(getRefresh).next(refreshDone);

  // The finish choice is completed once the next phase is known: FINISHED goes to it first.
  const then = (next: sfn.IChainable): void => {
    refreshDone
      .when(sfn.Condition.stringEquals('$.refresh.status', 'FINISHED'), next)
      .when(
        sfn.Condition.and(
          sfn.Condition.stringEquals('$.refresh.status', 'FAILED'),
          hasString('$.refresh.statement.Error'),
        ),
        refreshError,
      )
      .when(
        sfn.Condition.or(
          sfn.Condition.stringEquals('$.refresh.status', 'FAILED'),
          sfn.Condition.stringEquals('$.refresh.status', 'ABORTED'),
        ),
        failWith(
          'The view refresh stopped',
          STATES.getRefresh,
          'RefreshFailed',
          'The statement that refreshes the views was aborted or failed without a message.',
        ),
      )
      .otherwise(waitRefresh);
  };
  return { start: resetRefreshAttempts, then };
}
