/**
 * Evaluates a ruleset over rows in one pass. Feed rows with `row()`, read the Glue-shaped
 * result with `finish()`. Each row's outcome per top-level rule is in `statuses` right after
 * `row()` returns (the row-level outcome columns, as Glue reports them); whether the row is
 * routed to quarantine is `row()`'s return value, which only row checks decide.
 */
import type { Composite, Rule, RuleNode, Ruleset } from './ast.ts';
import type { Cell } from './conditions.ts';
import { formatNode } from './format.ts';
import {
  FAILED,
  PASSED,
  SKIPPED,
  type AnalyzerResult,
  type DataQualityResult,
  type RowStatus,
  type RuleResult,
} from './results.ts';
import { compileRule } from './rules/compile.ts';
import type { CompiledRule, RawText, RuleContext, RuleVerdict, ValueType } from './rules/compiled-rule.ts';
import { FrequencyAnalyzer } from './rules/frequency.ts';
import { compileWhere } from './where.ts';

export interface DatasetColumn {
  readonly name: string;
  readonly type: ValueType;
}

export interface EvaluateOptions {
  /** The layout of the rows passed to `row()`. */
  readonly columns: readonly DatasetColumn[];
  /** Columns the input really had (for ColumnCount/ColumnExists); default: all of `columns`. */
  readonly presentColumns?: readonly string[];
  /** Maps a column name used in a rule to a name in `columns` (aliases); exact and case-insensitive matches are tried first. */
  readonly resolveColumn?: (name: string) => string | undefined;
  /** "Now" for DataFreshness and now() (default: the current time). */
  readonly now?: Date;
  /** Sample failing rows kept per rule for messages (default 3). */
  readonly samples?: number;
  /** COLUMN (Glue's default): composite rules combine the children's verdicts; ROW: per row. */
  readonly compositeMethod?: 'COLUMN' | 'ROW';
}

/** A top-level rule as the caller sees it. */
export interface EvaluatedRule {
  readonly name: string;
  readonly description: string;
  readonly rowLevel: boolean;
  readonly tolerance: boolean;
  readonly labels?: Readonly<Record<string, string>>;
}

export class Evaluation {
  readonly rules: readonly EvaluatedRule[];
  /** Per top-level rule, the outcome of the last row passed to `row()`. */
  readonly statuses: Int8Array;
  private readonly compiled: CompiledRule[];
  private readonly analyzers: { name: string; description: string; rule: CompiledRule }[];
  private readonly frequencies: FrequencyAnalyzer[] = [];
  private rowsPassed = 0;
  private rowsFailed = 0;

  constructor(
    private readonly ruleset: Ruleset,
    options: EvaluateOptions,
  ) {
    const ctx = makeContext(ruleset, options, this.frequencies);
    const method = options.compositeMethod ?? 'COLUMN';
    this.compiled = ruleset.rules.map((node) => compileNode(node, ctx, method));
    this.rules = this.compiled.map((c, i) => ({
      name: `Rule_${i + 1}`,
      description: c.description,
      rowLevel: c.rowLevel,
      tolerance: c.tolerance,
      ...(labelsOf(ruleset, ruleset.rules[i]!) ? { labels: labelsOf(ruleset, ruleset.rules[i]!) } : {}),
    }));
    this.statuses = new Int8Array(this.compiled.length);
    this.analyzers = ruleset.analyzers
      .flatMap((a) => expandAnalyzer(a, options))
      .map((a, i) => ({
        name: `Analyzer_${i + 1}`,
        description: formatNode(a),
        rule: compileRule(withAnyCondition(a), ctx),
      }));
  }

  /**
   * Judge one row. `contractOk = false` marks a row that broke the data contract (it fails
   * whatever the rules say). Returns whether the row passed: it broke no contract and failed
   * no row check. A batch gate's (tolerance) outcome is in `statuses` but never fails a row:
   * the gate decides for the whole batch (contract/policy.ts).
   */
  row(values: readonly Cell[], line: number, contractOk = true, raw?: RawText): boolean {
    for (const f of this.frequencies) f.update(values);
    let passed = contractOk;
    const compiled = this.compiled;
    for (let i = 0; i < compiled.length; i++) {
      const s = compiled[i]!.row(values, line, raw);
      this.statuses[i] = s;
      if (s === FAILED && !compiled[i]!.tolerance) passed = false;
    }
    for (const a of this.analyzers) a.rule.row(values, line, raw);
    if (passed) this.rowsPassed++;
    else this.rowsFailed++;
    return passed;
  }

  finish(): DataQualityResult {
    const results: RuleResult[] = this.compiled.map((c, i) => {
      const o = c.verdict();
      const labels = this.rules[i]!.labels;
      return {
        Name: this.rules[i]!.name,
        Description: c.description,
        Result: o.result,
        ...(o.message && o.result !== 'PASS' ? { EvaluationMessage: o.message } : {}),
        EvaluatedMetrics: o.metrics,
        EvaluatedRule: c.description,
        ...(o.ruleMetrics ? { RuleMetrics: o.ruleMetrics } : {}),
        ...(labels ? { Labels: labels } : {}),
      };
    });
    const analyzerResults: AnalyzerResult[] = this.analyzers.map((a) => {
      const o = a.rule.verdict();
      return {
        Name: a.name,
        Description: a.description,
        ...(o.result === 'ERROR' && o.message ? { EvaluationMessage: o.message } : {}),
        EvaluatedMetrics: o.metrics,
      };
    });
    const passed = results.filter((r) => r.Result === 'PASS').length;
    return {
      Score: results.length ? passed / results.length : 1,
      RuleResults: results,
      AnalyzerResults: analyzerResults,
      AggregatedMetrics: {
        TotalRowsProcessed: this.rowsPassed + this.rowsFailed,
        TotalRowsPassed: this.rowsPassed,
        TotalRowsFailed: this.rowsFailed,
        TotalRulesProcessed: results.length,
        TotalRulesPassed: passed,
        TotalRulesFailed: results.length - passed,
      },
    };
  }
}

function labelsOf(ruleset: Ruleset, node: RuleNode): Record<string, string> | undefined {
  if (!ruleset.defaultLabels && !node.labels) return undefined;
  return { ...ruleset.defaultLabels, ...node.labels };
}

function makeContext(
  ruleset: Ruleset,
  options: EvaluateOptions,
  frequencies: FrequencyAnalyzer[],
): RuleContext {
  const names = options.columns.map((c) => c.name);
  const lower = new Map(names.map((n, i) => [n.toLowerCase(), i]));
  const columnIndex = (name: string): number => {
    const exact = names.indexOf(name);
    if (exact >= 0) return exact;
    const folded = lower.get(name.toLowerCase());
    if (folded !== undefined) return folded;
    const alias = options.resolveColumn?.(name);
    return alias === undefined ? -1 : names.indexOf(alias);
  };
  const shared = new Map<string, FrequencyAnalyzer>();
  return {
    now: options.now ?? new Date(),
    constants: ruleset.constants,
    samples: options.samples ?? 3,
    presentColumns: options.presentColumns ?? names,
    columnIndex,
    columnType: (i) => options.columns[i]!.type,
    frequencies(columns, where) {
      const key = `${columns.join(',')}|${where ?? ''}`;
      let f = shared.get(key);
      if (!f) {
        const filter = where === undefined ? null : compileWhere(where, columnIndex);
        f = new FrequencyAnalyzer(columns, filter && ((row) => filter(row as never)));
        shared.set(key, f);
        frequencies.push(f);
      }
      return f;
    },
  };
}

function compileNode(node: RuleNode, ctx: RuleContext, method: 'COLUMN' | 'ROW'): CompiledRule {
  if (node.kind === 'rule') return compileRule(node, ctx);
  return compositeRule(
    node,
    node.operands.map((n) => compileNode(n, ctx, method)),
    method,
  );
}

/**
 * `(A) and (B)`, `(A) or (B)`: children always see every row, so their metrics stay whole.
 * COLUMN (Glue's default) combines the children's verdicts, so the composite is a
 * dataset-level rule (a batch gate); its per-row statuses still combine the children's. ROW
 * combines per row and passes only if every row does; rules built on ratios or thresholds have
 * no per-row meaning there, so such a composite is an ERROR, as in Glue.
 */
function compositeRule(node: Composite, children: CompiledRule[], method: 'COLUMN' | 'ROW'): CompiledRule {
  const and = node.op === 'and';
  const rowWise = method === 'ROW';
  const notRowWise = rowWise ? children.find((c) => c.tolerance) : undefined;
  let rowsFailed = 0;
  let rows = 0;
  return {
    description: formatNode(node),
    rowLevel: children.some((c) => c.rowLevel),
    tolerance: !rowWise || notRowWise !== undefined,
    row(values, line, raw) {
      let pass = 0;
      let fail = 0;
      for (const c of children) {
        const s = c.row(values, line, raw);
        if (s === PASSED) pass++;
        else if (s === FAILED) fail++;
      }
      const status: RowStatus =
        pass + fail === 0 ? SKIPPED : and ? (fail > 0 ? FAILED : PASSED) : pass > 0 ? PASSED : FAILED;
      rows++;
      if (status === FAILED) rowsFailed++;
      return status;
    },
    verdict(): RuleVerdict {
      const outs = children.map((c) => c.verdict());
      const metrics = Object.assign({}, ...outs.map((o) => o.metrics)) as Record<string, number>;
      const messages = outs.filter((o) => o.message).map((o) => o.message!);
      if (notRowWise)
        return {
          result: 'ERROR',
          message: `${notRowWise.description} states a ratio or threshold, which cannot be combined row by row (compositeRuleEvaluation.method ROW).`,
          metrics,
        };
      let result: RuleVerdict['result'];
      if (rowWise) result = rowsFailed === 0 ? 'PASS' : 'FAIL';
      else if (and)
        result = outs.some((o) => o.result === 'FAIL')
          ? 'FAIL'
          : outs.some((o) => o.result === 'ERROR')
            ? 'ERROR'
            : 'PASS';
      else
        result = outs.some((o) => o.result === 'PASS')
          ? 'PASS'
          : outs.some((o) => o.result === 'ERROR')
            ? 'ERROR'
            : 'FAIL';
      return {
        result,
        ...(result !== 'PASS' && messages.length ? { message: messages.join('\n') } : {}),
        metrics,
        ruleMetrics: {
          'Rows Passed': rows - rowsFailed,
          'Rows Failed': rowsFailed,
          'Total Rows Processed': rows,
        },
      };
    },
  };
}

/** Analyzers compute a rule's metrics without asserting anything. */
function withAnyCondition(rule: Rule): Rule {
  if (
    rule.condition ||
    ['IsComplete', 'IsUnique', 'IsPrimaryKey', 'ColumnExists', 'ColumnNamesMatchPattern'].includes(rule.type)
  )
    return rule;
  return {
    ...rule,
    condition: { kind: 'compare', op: '!=', operand: { kind: 'number', value: Number.NaN, text: 'NaN' } },
  };
}

/** AllStatistics "c" is shorthand for the profile metrics of one column. */
function expandAnalyzer(a: Rule, options: EvaluateOptions): Rule[] {
  if (a.type !== 'AllStatistics') return [a];
  const column = a.params[0]!;
  const type = options.columns.find(
    (c) => c.name === column || c.name === options.resolveColumn?.(column),
  )?.type;
  const numeric = type === 'integer' || type === 'decimal';
  const types = [
    'Completeness',
    'Uniqueness',
    'DistinctValuesCount',
    'Entropy',
    ...(numeric ? ['Mean', 'Sum', 'StandardDeviation'] : ['ColumnLength']),
  ];
  return [{ ...a, type: 'RowCount', params: [] }, ...types.map((type) => ({ ...a, type }))];
}
