/**
 * What a rule type's compile function gets: the rule with its columns resolved and its where
 * clause compiled. A rule naming a column the data does not have fails before it compiles.
 */
import type { Condition, Rule } from '../ast.ts';
import { Unsupported } from '../conditions.ts';
import { compileWhere, type SqlValue } from '../where.ts';
import type { CompiledRule, Row, RuleContext } from './compiled-rule.ts';
import { missingColumnRule } from './error-rules.ts';

export interface RuleInput {
  readonly rule: Rule;
  readonly ctx: RuleContext;
  readonly description: string;
  /** The rule's columns, as indexes in the row. */
  readonly cols: readonly number[];
  /** The first of them. */
  readonly col: number;
  /** The where clause; rows it rejects are not judged. */
  readonly where: ((row: Row) => boolean) | null;
  /** A metric's name: Column.<c>.<metric>, or Multicolumn.<a>,<b>.<metric>. */
  readonly key: (metric: string) => string;
  /** The rule's condition; Unsupported if it has none. */
  readonly condition: () => Condition;
}

/** Compiles a rule of one type; throws Unsupported or WhereError when it cannot. */
export type RuleCompiler = (rule: Rule, ctx: RuleContext, description: string) => CompiledRule;

interface ColumnPolicy {
  /** Whether the rule judges rows: a missing column then fails every row. */
  readonly rowLevel: boolean;
  /** false: the parameters need not be columns of the data (ColumnExists, ColumnNamesMatchPattern). */
  readonly needsColumns?: boolean;
}

export function ruleCompiler(
  policy: ColumnPolicy,
  compile: (input: RuleInput) => CompiledRule,
): RuleCompiler {
  return (rule, ctx, description) => {
    const cols = rule.params.map((p) => ctx.columnIndex(p));
    // The where clause compiles first, so an invalid one is an ERROR even if a column is missing.
    const where = rule.where === undefined ? null : compileFilter(rule.where, ctx);
    const missing = cols.findIndex((c) => c < 0);
    if (missing >= 0 && policy.needsColumns !== false)
      return missingColumnRule(description, rule.params[missing]!, policy.rowLevel);
    return compile({
      rule,
      ctx,
      description,
      cols,
      col: cols[0]!,
      where,
      key: (metric) =>
        rule.params.length > 1
          ? `Multicolumn.${rule.params.join(',')}.${metric}`
          : `Column.${rule.params[0]}.${metric}`,
      condition: () => {
        if (!rule.condition) throw new Unsupported(`${rule.type} needs a condition`);
        return rule.condition;
      },
    });
  };
}

function compileFilter(sql: string, ctx: RuleContext): (row: Row) => boolean {
  const filter = compileWhere(sql, (name) => ctx.columnIndex(name));
  return (row) => filter(row as readonly SqlValue[]);
}
