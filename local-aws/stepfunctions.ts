/**
 * Step Functions for the twin (JSON 1.0, X-Amz-Target AWSStepFunctions.*): the pipeline's
 * state machine — the synthesized ASL — run by aws-local-stepfunctions with a local handler per
 * Task state. Executions and their history persist in the data directory (saved as each state
 * is entered); one that was running when the twin stopped is marked FAILED at the next start,
 * never RUNNING forever, and kept as unreported until the twin has published its failure. One
 * that had already published its outcome ends as that outcome says, with no second alert.
 */
import './polyfills.ts';
import { StateMachine } from 'aws-local-stepfunctions';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError, page } from './http.ts';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: string;
  [details: string]: unknown;
}

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  history: HistoryEvent[];
  /** Interrupted, and nobody told yet: kept until the failure alert is published. */
  alertPending?: boolean;
}

export type PublishedEnd =
  { status: 'SUCCEEDED'; output: string } | { status: 'FAILED'; error: string; cause: string };

export type TaskHandler = (input: Record<string, unknown>, execution: ExecutionRecord) => Promise<unknown>;

export interface StateMachineSpec {
  readonly arn: string;
  readonly name: string;
  readonly definition: Record<string, unknown>;
  readonly roleArn: string;
  readonly handlers: Readonly<Record<string, TaskHandler>>;
  /** Wait states take this long locally (ms) instead of their seconds. */
  readonly waitMs: number;
  /**
   * Each retry waits this long locally (ms) instead of its interval, backoff and jitter; a
   * retrier still makes at most its MaxAttempts, so it lasts MaxAttempts × retryMs here.
   */
  readonly retryMs: number;
  /** How an execution ends that had published its outcome, if it had published one. */
  readonly endAfterPublish?: (executionArn: string) => PublishedEnd | undefined;
}

type LocalEvent = {
  type: string;
  timestamp: number;
  state?: { name: string; type: string; input: unknown; output?: unknown };
  input?: unknown;
  output?: unknown;
  Error?: string;
  Cause?: unknown;
};

export class StepFunctions {
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly aborts = new Map<string, () => void>();
  private readonly done = new Map<string, Promise<void>>();

  constructor(
    private readonly dir: string,
    private readonly machine: StateMachineSpec,
  ) {
    // Validating the definition compiles JSON schemas (0.2-0.6 s on the event loop): once, here,
    // not at every execution's start.
    new StateMachine(machine.definition as never, { validationOptions: { checkArn: false } });
    mkdirSync(dir, { recursive: true });
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const record = JSON.parse(readFileSync(join(dir, f), 'utf8')) as ExecutionRecord;
      const end = record.status === 'RUNNING' ? machine.endAfterPublish?.(record.executionArn) : undefined;
      if (end) {
        // Stopped after its outcome went out: it ends as the state after that publish would have.
        if (end.status === 'SUCCEEDED')
          this.event(record, 'ExecutionSucceeded', {
            executionSucceededEventDetails: { output: end.output },
          });
        else this.event(record, 'ExecutionFailed', { executionFailedEventDetails: end });
        this.finish(record, end.status, end);
      } else if (record.status === 'RUNNING') {
        // Interrupted by a stop or a crash: its load was one transaction, so nothing half-loaded stays.
        const failure = {
          error: 'States.Runtime',
          cause: 'The local twin stopped while this execution was running.',
        };
        this.event(record, 'ExecutionFailed', { executionFailedEventDetails: failure });
        record.alertPending = true;
        this.finish(record, 'FAILED', failure);
      }
      this.executions.set(record.executionArn, record);
    }
  }

  /** Executions interrupted by a stop or crash whose failure nobody has been told of yet. */
  unreported(): ExecutionRecord[] {
    return [...this.executions.values()].filter((r) => r.alertPending);
  }

  /** Their failure alert is out. */
  reported(record: ExecutionRecord): void {
    delete record.alertPending;
    this.save(record);
  }

  get stateMachineArn(): string {
    return this.machine.arn;
  }

  start(input: string, name: string = randomUUID()): ExecutionRecord {
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(name))
      throw new ApiError(400, 'InvalidName', `Invalid execution name: ${name}`);
    const executionArn = `${this.machine.arn.replace(':stateMachine:', ':execution:')}:${name}`;
    if (this.executions.has(executionArn))
      throw new ApiError(400, 'ExecutionAlreadyExists', `Execution already exists: ${executionArn}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(input);
    } catch {
      throw new ApiError(400, 'InvalidExecutionInput', 'The execution input is not valid JSON.');
    }
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn: this.machine.arn,
      name,
      status: 'RUNNING',
      startDate: Date.now(),
      input,
      history: [],
    };
    this.executions.set(executionArn, record);
    this.save(record);
    this.done.set(executionArn, this.run(record, parsed));
    return record;
  }

  /** Resolves when every running execution has finished. */
  async idle(): Promise<void> {
    await Promise.all(this.done.values());
  }

  get(executionArn: string): ExecutionRecord {
    const r = this.executions.get(executionArn);
    if (!r) throw new ApiError(400, 'ExecutionDoesNotExist', `Execution does not exist: ${executionArn}`);
    return r;
  }

  list(): ExecutionRecord[] {
    return [...this.executions.values()].sort(
      (a, b) => b.startDate - a.startDate || (a.name < b.name ? 1 : -1),
    );
  }

  stop(executionArn: string, error?: string, cause?: string): number {
    const r = this.get(executionArn);
    if (r.status === 'RUNNING') {
      this.aborts.get(executionArn)?.();
      this.finish(r, 'ABORTED', { ...(error ? { error } : {}), ...(cause ? { cause } : {}) });
      this.event(r, 'ExecutionAborted', {
        executionAbortedEventDetails: { ...(error ? { error } : {}), ...(cause ? { cause } : {}) },
      });
    }
    return r.stopDate!;
  }

  /** The JSON 1.0 API. */
  call(operation: string, input: Record<string, unknown>): unknown {
    const seconds = (ms: number | undefined): number | undefined =>
      ms === undefined ? undefined : ms / 1000;
    const summary = (r: ExecutionRecord) => ({
      executionArn: r.executionArn,
      stateMachineArn: r.stateMachineArn,
      name: r.name,
      status: r.status,
      startDate: seconds(r.startDate),
      ...(r.stopDate ? { stopDate: seconds(r.stopDate) } : {}),
    });
    const describe = (r: ExecutionRecord) => ({
      ...summary(r),
      input: r.input,
      inputDetails: { included: true },
      ...(r.output !== undefined ? { output: r.output, outputDetails: { included: true } } : {}),
      ...(r.error ? { error: r.error } : {}),
      ...(r.cause ? { cause: r.cause } : {}),
    });
    switch (operation) {
      case 'StartExecution': {
        this.checkMachine(input.stateMachineArn);
        const r = this.start(String(input.input ?? '{}'), input.name ? String(input.name) : undefined);
        return { executionArn: r.executionArn, startDate: seconds(r.startDate) };
      }
      case 'DescribeExecution':
        return describe(this.get(String(input.executionArn)));
      case 'StopExecution':
        return {
          stopDate: seconds(
            this.stop(
              String(input.executionArn),
              input.error as string | undefined,
              input.cause as string | undefined,
            ),
          ),
        };
      case 'ListExecutions': {
        this.checkMachine(input.stateMachineArn);
        const all = this.list().filter((r) => !input.statusFilter || r.status === input.statusFilter);
        const { items, next } = page(all, input.maxResults, input.nextToken, 100);
        return {
          executions: items.map(summary),
          ...(next ? { nextToken: next } : {}),
        };
      }
      case 'GetExecutionHistory': {
        const r = this.get(String(input.executionArn));
        const events = input.reverseOrder ? [...r.history].reverse() : r.history;
        const { items, next } = page(events, input.maxResults, input.nextToken, 1000);
        return {
          events: items.map((e) => ({ ...e, timestamp: seconds(e.timestamp) })),
          ...(next ? { nextToken: next } : {}),
        };
      }
      case 'DescribeStateMachine':
        this.checkMachine(input.stateMachineArn);
        return {
          stateMachineArn: this.machine.arn,
          name: this.machine.name,
          status: 'ACTIVE',
          definition: JSON.stringify(this.machine.definition),
          roleArn: this.machine.roleArn,
          type: 'STANDARD',
          creationDate: 0,
        };
      case 'ListStateMachines':
        return {
          stateMachines: [
            { stateMachineArn: this.machine.arn, name: this.machine.name, type: 'STANDARD', creationDate: 0 },
          ],
        };
      default:
        throw new ApiError(
          400,
          'UnknownOperationException',
          `AWSStepFunctions.${operation} is not supported by the local twin.`,
        );
    }
  }

  private checkMachine(arn: unknown): void {
    if (arn !== this.machine.arn)
      throw new ApiError(400, 'StateMachineDoesNotExist', `State Machine Does Not Exist: '${String(arn)}'`);
  }

  private async run(record: ExecutionRecord, input: unknown): Promise<void> {
    const definition = this.machine.definition as {
      States: Record<string, { Type: string; Retry?: unknown[] }>;
    };
    const handlers = Object.fromEntries(
      Object.entries(this.machine.handlers).map(([state, handler]) => [
        state,
        (i: unknown) => handler(i as Record<string, unknown>, record) as never,
      ]),
    );
    const waits = Object.fromEntries(
      Object.entries(definition.States)
        .filter(([, s]) => s.Type === 'Wait')
        .map(([n]) => [n, this.machine.waitMs]),
    );
    const retries = Object.fromEntries(
      Object.entries(definition.States)
        .filter(([, s]) => s.Retry?.length)
        .map(([n]) => [n, this.machine.retryMs]),
    );
    const sm = new StateMachine(this.machine.definition as never, {
      validationOptions: { noValidate: true },
    });
    const execution = sm.run(input as never, {
      overrides: {
        taskResourceLocalHandlers: handlers,
        waitTimeOverrides: waits,
        retryIntervalOverrides: retries,
      },
      noThrowOnAbort: true,
      context: {
        Execution: {
          Id: record.executionArn,
          Name: record.name,
          StartTime: new Date(record.startDate).toISOString(),
          Input: input,
          RoleArn: this.machine.roleArn,
        },
        StateMachine: { Id: this.machine.arn, Name: this.machine.name },
      } as never,
    });
    this.aborts.set(record.executionArn, execution.abort);
    const logging = (async () => {
      for await (const ev of execution.eventLogs as AsyncIterable<LocalEvent>) this.record(record, ev);
    })();
    try {
      const output = await execution.result;
      if (record.status === 'RUNNING') this.finish(record, 'SUCCEEDED', { output: JSON.stringify(output) });
    } catch (err) {
      const fail = (err as { cause?: { name?: string; message?: string } }).cause;
      if (record.status === 'RUNNING')
        this.finish(record, 'FAILED', {
          error: fail?.name ?? 'States.Runtime',
          cause: fail?.message ?? (err as Error).message,
        });
    } finally {
      await logging.catch(() => undefined);
      this.aborts.delete(record.executionArn);
      this.save(record);
    }
  }

  /** aws-local-stepfunctions events → Step Functions history events. */
  private record(r: ExecutionRecord, ev: LocalEvent): void {
    const type = (t: string): string => `${t}State`;
    const json = (v: unknown): string => JSON.stringify(v ?? null);
    switch (ev.type) {
      case 'ExecutionStarted':
        return this.event(
          r,
          'ExecutionStarted',
          { executionStartedEventDetails: { input: json(ev.input), roleArn: this.machine.roleArn } },
          ev.timestamp,
        );
      case 'StateEntered':
        this.event(
          r,
          `${type(ev.state!.type)}Entered`,
          { stateEnteredEventDetails: { name: ev.state!.name, input: json(ev.state!.input) } },
          ev.timestamp,
        );
        // Saved as it goes, so a crash leaves the history up to the state it stopped in.
        if (r.status === 'RUNNING') this.save(r);
        return;
      case 'StateExited':
        return this.event(
          r,
          `${type(ev.state!.type)}Exited`,
          { stateExitedEventDetails: { name: ev.state!.name, output: json(ev.state!.output) } },
          ev.timestamp,
        );
      case 'StateFailed':
        if (ev.state!.type === 'Task')
          return this.event(
            r,
            'TaskFailed',
            {
              taskFailedEventDetails: {
                resourceType: 'local',
                resource: ev.state!.name,
                error: ev.Error,
                cause: String(ev.Cause ?? ''),
              },
            },
            ev.timestamp,
          );
        return;
      case 'StateRetried':
      case 'StateCaught':
        return;
      case 'ExecutionSucceeded':
        return this.event(
          r,
          'ExecutionSucceeded',
          { executionSucceededEventDetails: { output: json(ev.output) } },
          ev.timestamp,
        );
      case 'ExecutionFailed':
        return this.event(
          r,
          'ExecutionFailed',
          { executionFailedEventDetails: { error: ev.Error, cause: String(ev.Cause ?? '') } },
          ev.timestamp,
        );
    }
  }

  private event(
    r: ExecutionRecord,
    type: string,
    details: Record<string, unknown>,
    timestamp = Date.now(),
  ): void {
    const id = r.history.length + 1;
    r.history.push({ id, previousEventId: id - 1, timestamp, type, ...details });
  }

  private finish(
    r: ExecutionRecord,
    status: ExecutionStatus,
    fields: { output?: string; error?: string; cause?: string },
  ): void {
    Object.assign(r, { status, stopDate: Date.now(), ...fields });
    this.save(r);
  }

  private save(r: ExecutionRecord): void {
    const file = join(this.dir, `${r.name}.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify(r));
    renameSync(`${file}.tmp`, file);
  }
}
