/**
 * One rule: its type, parameters, condition, where clause, `with` options and labels, checked
 * against the rule-type table. An analyzer is a rule type and its parameters only.
 */
import type { Condition, Expr, Rule } from './ast.ts';
import { atCondition, condition, type Constants } from './condition-parser.ts';
import { conditionExample, type Expected } from './condition-types.ts';
import { labelsClause, MAX_LABELS } from './labels.ts';
import { DqdlSyntaxError, type Token } from './lexer.ts';
import { isTimeZone } from './literals.ts';
import { fileMatchTakesCondition, RULE_TYPES, type RuleTypeSpec } from './rule-types.ts';
import type { TokenCursor } from './token-cursor.ts';

/** What a rule can refer to that was declared before it. */
export interface RuleScope {
  readonly constants: Constants;
  /** DefaultLabels, which count towards each rule's limit of labels. */
  readonly defaultLabels?: Readonly<Record<string, string>>;
}

/** Words that end a rule's parameter list. */
const STOP_WORDS = new Set([
  'between',
  'not',
  'in',
  'matches',
  'where',
  'with',
  'labels',
  'and',
  'AND',
  'or',
  'OR',
]);

export function rule(c: TokenCursor, scope: RuleScope, inAnalyzers: boolean): Rule {
  const start = c.expect('ident', undefined, 'a rule type (e.g. RowCount, ColumnValues, IsComplete)');
  const spec = ruleSpec(start, inAnalyzers);
  const paramStart = c.position;
  const params = ruleParams(c, scope.constants);
  checkParamCount(c, start, spec, params, c.since(paramStart));
  let kind: Expected = spec.condition;
  if (start.text === 'FileMatch') kind = fileMatchTakesCondition(params.length) ? 'checksums' : 'none';
  if (inAnalyzers) {
    // An analyzer records a metric; Glue refuses the pass/fail rule types there.
    if (kind === 'none' && !spec.analyzerOnly)
      throw new DqdlSyntaxError(
        `${start.text} cannot be an analyzer: it has no metric to record (put it in Rules = [...])`,
        start.line,
        start.column,
      );
    // An analyzer is its type and parameters only: a condition, where, with or labels after it
    // is refused by the list (expected ',' or ']').
    return { kind: 'rule', type: start.text, params, options: {}, line: start.line, column: start.column };
  }
  const where = (): string | undefined => {
    if (!c.isWord('where')) return undefined;
    const at = c.tok;
    if (!spec.where)
      throw new DqdlSyntaxError(`${start.text} does not take a where clause`, at.line, at.column);
    c.next();
    const sql = c.expect('string', undefined, 'a quoted filter after where, e.g. where "year > 2000"');
    if (!sql.text.trim()) throw new DqdlSyntaxError('the where clause is empty', sql.line, sql.column);
    return sql.text;
  };
  let cond: Condition | undefined;
  if (kind !== 'none') {
    if (atCondition(c)) cond = condition(c, scope.constants, kind);
    else if (kind !== 'optional-number')
      c.fail(`a condition for ${start.text} (e.g. ${conditionExample(kind)})`);
  } else if (atCondition(c)) {
    const at = c.tok;
    throw new DqdlSyntaxError(`${start.text} takes no condition`, at.line, at.column);
  }
  let filter = where();
  let threshold: Condition | undefined;
  const options: Record<string, string | number> = {};
  let labels: Record<string, string> | undefined;
  while (c.isWord('with', 'labels', 'where')) {
    if (c.isWord('labels')) {
      if (labels) c.fail('one labels=[...] per rule');
      labels = labelsClause(c);
      continue;
    }
    if (c.isWord('where')) {
      if (filter !== undefined) c.fail('one where clause per rule');
      filter = where();
      continue;
    }
    c.next(); // with
    const name = c.expect('ident', undefined, 'threshold or an option name after with');
    if (name.text === 'threshold') {
      if (!spec.threshold)
        throw new DqdlSyntaxError(`${start.text} does not take a threshold`, name.line, name.column);
      if (threshold) throw new DqdlSyntaxError('a rule may have one threshold', name.line, name.column);
      threshold = condition(c, scope.constants, 'number');
      continue;
    }
    c.punct('=');
    options[name.text] = optionValue(c, name);
  }
  if (start.text === 'CustomSql' && cond && threshold)
    throw new DqdlSyntaxError(
      'CustomSql takes a condition or a threshold, not both',
      start.line,
      start.column,
    );
  if (labels && Object.keys({ ...scope.defaultLabels, ...labels }).length > MAX_LABELS)
    throw new DqdlSyntaxError(
      `a rule may have at most ${MAX_LABELS} labels, DefaultLabels included`,
      start.line,
      start.column,
    );
  return {
    kind: 'rule',
    type: start.text,
    params,
    ...(cond ? { condition: cond } : {}),
    ...(filter !== undefined ? { where: filter } : {}),
    ...(threshold ? { threshold } : {}),
    options,
    ...(labels ? { labels } : {}),
    line: start.line,
    column: start.column,
  };
}

/** The rule type's entry in the table, if it may stand where it is. */
function ruleSpec(start: Token, inAnalyzers: boolean): RuleTypeSpec {
  const spec = RULE_TYPES[start.text];
  if (!spec) {
    const close = Object.keys(RULE_TYPES).find((t) => t.toLowerCase() === start.text.toLowerCase());
    throw new DqdlSyntaxError(
      close
        ? `unknown rule type "${start.text}" (rule types are case-sensitive: did you mean ${close}?)`
        : `unknown rule type "${start.text}"`,
      start.line,
      start.column,
    );
  }
  if (spec.analyzerOnly && !inAnalyzers)
    throw new DqdlSyntaxError(
      `${start.text} is an analyzer: put it in Analyzers = [...]`,
      start.line,
      start.column,
    );
  return spec;
}

/** The rule's parameters: quoted strings, string $constants and bare words. */
function ruleParams(c: TokenCursor, constants: Constants): string[] {
  const params: string[] = [];
  for (;;) {
    // Connector words: `Completeness of col`, `ColumnCorrelation of a and b`.
    if (c.isWord('of', 'OF') || (c.isWord('and', 'AND') && params.length > 0 && paramFollows(c, 1))) {
      c.next();
      continue;
    }
    if (c.is('string')) {
      params.push(c.next().text);
      continue;
    }
    if (c.is('ident') && c.tok.text.startsWith('$')) {
      const ref = c.next();
      const value = constants[ref.text.slice(1)];
      if (value === undefined)
        throw new DqdlSyntaxError(`constant ${ref.text} is not defined`, ref.line, ref.column);
      if (Array.isArray(value) || (value as Expr).kind !== 'string')
        throw new DqdlSyntaxError(
          `constant ${ref.text} must be a quoted string to be used as a parameter`,
          ref.line,
          ref.column,
        );
      params.push((value as { value: string }).value);
      continue;
    }
    // Rule-type names are fine as bare parameters: `DetectAnomalies of RowCount`.
    if (c.is('ident') && !STOP_WORDS.has(c.tok.text)) {
      params.push(c.next().text);
      continue;
    }
    return params;
  }
}

function paramFollows(c: TokenCursor, ahead: number): boolean {
  const t = c.peek(ahead);
  return t.kind === 'string' || (t.kind === 'ident' && !STOP_WORDS.has(t.text) && !(t.text in RULE_TYPES));
}

/** Refuse a parameter count the rule type does not take; `taken` are the parameters' tokens. */
function checkParamCount(
  c: TokenCursor,
  start: Token,
  spec: RuleTypeSpec,
  params: readonly string[],
  taken: readonly Token[],
): void {
  if (params.length > spec.maxParams) {
    // A bare word where the condition belongs is a misspelt keyword more often than a column.
    const written = taken.filter((t) => t.kind !== 'ident' || !['of', 'OF', 'and', 'AND'].includes(t.text));
    const extra = written[spec.maxParams];
    if (extra?.kind === 'ident' && spec.condition !== 'none')
      c.fail(`a condition for ${start.text} (e.g. ${conditionExample(spec.condition)})`, extra);
  }
  if (params.length < spec.minParams || params.length > spec.maxParams) {
    const want =
      spec.minParams === spec.maxParams
        ? `${spec.minParams}`
        : spec.maxParams === Number.POSITIVE_INFINITY
          ? `at least ${spec.minParams}`
          : `${spec.minParams} to ${spec.maxParams}`;
    throw new DqdlSyntaxError(
      `${start.text} takes ${want} parameter${/\b1$/.test(want) ? '' : 's'}, found ${params.length}`,
      start.line,
      start.column,
    );
  }
}

/** The value in `with name = value`: one quoted string or one number, as Glue takes (so "true", not true). */
function optionValue(c: TokenCursor, name: Token): string | number {
  if (c.is('string')) {
    const value = c.next();
    if (name.text === 'timeZone' && !isTimeZone(value.text))
      throw new DqdlSyntaxError(
        `unknown time zone "${value.text}" (e.g. "America/New_York" or "UTC")`,
        value.line,
        value.column,
      );
    return value.text;
  }
  if (c.is('number')) return Number(c.next().text);
  return c.fail(`a value for ${name.text} (a quoted string or a number)`);
}
