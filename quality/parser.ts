/**
 * A recursive-descent parser for DQDL. It accepts what AWS Glue accepts (and a few forms the
 * AWS documentation shows that Glue's grammar is lenient about), checks each rule against the
 * rule-type table, and reports the first error with its line, column and what was expected.
 */
import type { CompareOp, Composite, Condition, DictValue, Expr, Rule, RuleNode, Ruleset } from './ast.ts';
import { checkConditionKind, conditionExample, type Expected } from './condition-types.ts';
import { DqdlSyntaxError, tokenize, type Token } from './lexer.ts';
import { DATE_SHAPE, isCalendarDate, isClockTime, isTimeZone, TIME_SHAPE } from './literals.ts';
import { fileMatchTakesCondition, RULE_TYPES } from './rule-types.ts';

/** The sections in the order Glue reads them; constants sit between DataSources and DefaultLabels. */
const SECTION_ORDER = ['Metadata', 'DataSources', '', 'DefaultLabels', 'Rules', 'Analyzers'];
const CONSTANTS_RANK = 2;
const DURATION_UNITS = new Set(['days', 'hours', 'minutes']);
const SIZE_UNITS = new Set(['B', 'KB', 'MB', 'GB', 'TB']);
const COMPARE_OPS = new Set(['=', '!=', '>', '>=', '<', '<=']);
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

export function parseRuleset(source: string): Ruleset {
  return new Parser(tokenize(source)).ruleset();
}

/** Parse a single rule, e.g. `Completeness "title" > 0.95`. */
export function parseRule(source: string): RuleNode {
  const parser = new Parser(tokenize(source));
  const node = parser.ruleNode();
  parser.expectEnd();
  return node;
}

class Parser {
  private i = 0;
  /** Constants declared so far (`name = "..."`), for `$name` references. */
  private readonly constants: Record<string, Expr | Expr[]> = {};
  private defaultLabels: Record<string, string> | undefined;
  constructor(private readonly tokens: Token[]) {}

  private get tok(): Token {
    return this.tokens[this.i]!;
  }

  private peek(ahead = 1): Token {
    return this.tokens[Math.min(this.i + ahead, this.tokens.length - 1)]!;
  }

  private fail(expected: string, at: Token = this.tok): never {
    const found = at.kind === 'eof' ? 'the end of the ruleset' : describe(at);
    throw new DqdlSyntaxError(`expected ${expected}, found ${found}`, at.line, at.column);
  }

  private is(kind: Token['kind'], text?: string): boolean {
    return this.tok.kind === kind && (text === undefined || this.tok.text === text);
  }

  private isWord(...words: string[]): boolean {
    return this.tok.kind === 'ident' && words.includes(this.tok.text);
  }

  private expect(kind: Token['kind'], text: string | undefined, expected: string): Token {
    if (!this.is(kind, text)) this.fail(expected);
    return this.tokens[this.i++]!;
  }

  private punct(text: string): Token {
    return this.expect('punct', text, `'${text}'`);
  }

  expectEnd(): void {
    if (!this.is('eof')) this.fail('the end of the rule');
  }

  ruleset(): Ruleset {
    let metadata: Record<string, DictValue> | undefined;
    let dataSources: Record<string, DictValue> | undefined;
    let defaultLabels: Record<string, string> | undefined;
    let rules: RuleNode[] | undefined;
    let analyzers: Rule[] | undefined;
    const constants = this.constants;
    const once = (section: unknown, name: Token): void => {
      if (section !== undefined)
        throw new DqdlSyntaxError(`${name.text} is defined twice`, name.line, name.column);
    };
    let last: { name: string; rank: number } | undefined;
    // Glue reads the sections in one order only: Metadata, DataSources, constants, DefaultLabels, Rules, Analyzers.
    const inOrder = (name: Token, rank: number): void => {
      if (last && rank < last.rank)
        throw new DqdlSyntaxError(
          `${rank === CONSTANTS_RANK ? `constant ${name.text}` : name.text} must come before ${last.name} (the order is Metadata, DataSources, constants, DefaultLabels, Rules, Analyzers)`,
          name.line,
          name.column,
        );
      last = { name: rank === CONSTANTS_RANK ? 'the constants' : name.text, rank };
    };
    while (!this.is('eof')) {
      const name = this.expect(
        'ident',
        undefined,
        'a section (Rules = [...], Analyzers = [...], Metadata = {...})',
      );
      if (name.text in RULE_TYPES && !this.is('punct', '='))
        throw new DqdlSyntaxError(
          `${name.text} is a rule type: put the rules inside Rules = [ ... ]`,
          name.line,
          name.column,
        );
      this.punct('=');
      const rank = SECTION_ORDER.indexOf(name.text);
      const constant = rank < 0 && /^[A-Za-z][A-Za-z0-9_]*$/.test(name.text);
      if (rank < 0 && !constant) this.fail('a section name', name);
      if (!(name.text in constants)) inOrder(name, constant ? CONSTANTS_RANK : rank);
      if (name.text === 'Metadata') {
        once(metadata, name);
        metadata = this.checkedDictionary(name, { Version: 'string' });
      } else if (name.text === 'DataSources') {
        once(dataSources, name);
        dataSources = this.checkedDictionary(name, { Primary: 'string', AdditionalDataSources: 'strings' });
      } else if (name.text === 'DefaultLabels') {
        once(defaultLabels, name);
        defaultLabels = this.defaultLabels = this.labelList(undefined);
      } else if (name.text === 'Rules') {
        once(rules, name);
        rules = this.list(() => this.ruleNode());
      } else if (name.text === 'Analyzers') {
        once(analyzers, name);
        analyzers = this.list(() => this.rule(true));
      } else {
        if (name.text in constants)
          throw new DqdlSyntaxError(`constant ${name.text} is defined twice`, name.line, name.column);
        constants[name.text] = this.is('punct', '[')
          ? this.list(() => this.constantValue(name), 'at least one quoted string')
          : this.constantValue(name);
      }
    }
    if (!rules?.length && !analyzers?.length) {
      const end = this.tok;
      throw new DqdlSyntaxError('the ruleset has no rules (expected Rules = [ ... ])', end.line, end.column);
    }
    return {
      ...(metadata ? { metadata } : {}),
      ...(dataSources ? { dataSources } : {}),
      constants,
      ...(defaultLabels ? { defaultLabels } : {}),
      rules: rules ?? [],
      analyzers: analyzers ?? [],
    };
  }

  /**
   * `[a, b, ...]`. Glue takes no trailing comma, and an empty list only where its grammar
   * has one (Rules, Analyzers, DefaultLabels); `empty` says what the list must hold otherwise.
   */
  /** A constant holds text: a quoted string, NULL, EMPTY or WHITESPACES_ONLY. */
  private constantValue(name: Token): Expr {
    const at = this.tok;
    if (at.kind === 'ident' && at.text.startsWith('$'))
      throw new DqdlSyntaxError(
        `constant ${name.text} refers to another constant; nested constants are not supported`,
        at.line,
        at.column,
      );
    const text =
      at.kind === 'string' || (at.kind === 'ident' && /^(null|empty|whitespaces_only)$/i.test(at.text));
    const value = text ? this.term() : undefined;
    // Glue looks for $name inside a constant's text too, and refuses it there.
    if (value?.kind === 'string' && /\$[A-Za-z_]/.test(value.value))
      throw new DqdlSyntaxError(
        `constant ${name.text} refers to another constant; nested constants are not supported`,
        at.line,
        at.column,
      );
    // Glue reads "2023-01-01" and "9:30 AM" as a date and a time, never as text.
    if (value?.kind === 'string' || value?.kind === 'keyword') return value;
    return this.fail(
      `a quoted string (not a number, date or time), NULL, EMPTY or WHITESPACES_ONLY as the value of ${name.text}`,
      at,
    );
  }

  private list<T>(item: () => T, empty?: string): T[] {
    const open = this.punct('[');
    const items: T[] = [];
    if (this.is('punct', ']')) {
      if (empty !== undefined)
        throw new DqdlSyntaxError(`this list is empty (expected ${empty})`, open.line, open.column);
      this.i++;
      return items;
    }
    for (;;) {
      items.push(item());
      if (this.is('punct', ',')) {
        const comma = this.tokens[this.i++]!;
        if (this.is('punct', ']'))
          throw new DqdlSyntaxError(
            "a trailing comma before ']' (Glue refuses it)",
            comma.line,
            comma.column,
          );
        continue;
      }
      if (!this.is('punct', ']')) this.fail("',' or ']'");
      break;
    }
    this.i++;
    return items;
  }

  private dictionary(): Record<string, DictValue> {
    this.punct('{');
    const out: Record<string, DictValue> = {};
    // At least one pair, and no trailing comma: Glue's grammar has neither.
    for (;;) {
      const key = this.expect('string', undefined, 'a quoted key');
      this.punct(':');
      out[key.text] = this.dictValue();
      if (this.is('punct', '}')) break;
      this.punct(',');
    }
    this.i++;
    return out;
  }

  /** A dictionary whose keys and value kinds Glue fixes (Metadata, DataSources). */
  private checkedDictionary(
    section: Token,
    allowed: Record<string, 'string' | 'strings'>,
  ): Record<string, DictValue> {
    const dict = this.dictionary();
    for (const [key, value] of Object.entries(dict)) {
      const kind = allowed[key];
      if (!kind)
        throw new DqdlSyntaxError(
          `${section.text} does not take the key "${key}" (allowed: ${Object.keys(allowed).join(', ')})`,
          section.line,
          section.column,
        );
      const ok =
        kind === 'string'
          ? typeof value === 'string'
          : Array.isArray(value) && value.every((v) => typeof v === 'string');
      if (!ok)
        throw new DqdlSyntaxError(
          `${section.text} "${key}" must be ${kind === 'string' ? 'a quoted string' : 'a list of quoted strings'}`,
          section.line,
          section.column,
        );
    }
    return dict;
  }

  private dictValue(): DictValue {
    if (this.is('string')) return this.tokens[this.i++]!.text;
    if (this.is('punct', '{')) return this.dictionary();
    if (this.is('punct', '[')) return this.list(() => this.dictValue(), 'at least one quoted string');
    return this.fail('a quoted string, a list or a dictionary');
  }

  /** `["key"="value", ...]`; `empty` as for list(). */
  private labelList(empty: string | undefined): Record<string, string> {
    const at = this.tok;
    const pairs = this.list(() => {
      const key = this.expect('string', undefined, 'a quoted label name');
      if (!key.text) throw new DqdlSyntaxError('a label has an empty name', key.line, key.column);
      this.punct('=');
      const value = this.expect('string', undefined, 'a quoted label value');
      if (!value.text)
        throw new DqdlSyntaxError(`label "${key.text}" has an empty value`, value.line, value.column);
      return [key, value.text] as const;
    }, empty);
    const labels: Record<string, string> = {};
    for (const [key, value] of pairs) {
      if (key.text in labels)
        throw new DqdlSyntaxError(`label "${key.text}" is given twice`, key.line, key.column);
      labels[key.text] = value;
    }
    if (pairs.length > 10) throw new DqdlSyntaxError('a rule may have at most 10 labels', at.line, at.column);
    return labels;
  }

  /** or-expression of and-expressions of primaries ('and' binds tighter, as in Glue). */
  ruleNode(): RuleNode {
    return this.composite('or', () => this.composite('and', () => this.rulePrimary()));
  }

  private composite(op: 'and' | 'or', operand: () => RuleNode): RuleNode {
    const first = operand();
    const operands = [first];
    while (this.isWord(op, op.toUpperCase())) {
      this.i++;
      operands.push(operand());
    }
    if (operands.length === 1) return first;
    const flat = operands.flatMap((n) =>
      n.kind === 'composite' && n.op === op && !n.labels ? n.operands : [n],
    );
    return { kind: 'composite', op, operands: flat, line: first.line, column: first.column };
  }

  private rulePrimary(): RuleNode {
    if (this.is('punct', '(')) {
      this.i++;
      const inner = this.ruleNode();
      this.punct(')');
      if (this.isWord('labels')) {
        const labels = this.labels();
        if (inner.kind === 'composite') return { ...inner, labels } as Composite;
        return { ...inner, labels };
      }
      // A parenthesized composite keeps its own identity, so (A or B) and C stays nested.
      return inner.kind === 'composite' ? { ...inner, labels: inner.labels } : inner;
    }
    return this.rule(false);
  }

  private labels(): Record<string, string> {
    this.i++; // labels
    this.punct('=');
    return this.labelList('at least one "name"="value" label');
  }

  rule(inAnalyzers: boolean): Rule {
    const start = this.expect('ident', undefined, 'a rule type (e.g. RowCount, ColumnValues, IsComplete)');
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
    const paramStart = this.i;
    const params = this.params();
    const where = (): string | undefined => {
      if (!this.isWord('where')) return undefined;
      const at = this.tok;
      if (!spec.where)
        throw new DqdlSyntaxError(`${start.text} does not take a where clause`, at.line, at.column);
      this.i++;
      const sql = this.expect('string', undefined, 'a quoted filter after where, e.g. where "year > 2000"');
      if (!sql.text.trim()) throw new DqdlSyntaxError('the where clause is empty', sql.line, sql.column);
      return sql.text;
    };
    if (params.length > spec.maxParams) {
      // A bare word where the condition belongs is a misspelt keyword more often than a column.
      const extra = this.tokens
        .slice(paramStart, this.i)
        .filter((t) => t.kind !== 'ident' || !['of', 'OF', 'and', 'AND'].includes(t.text))[spec.maxParams];
      if (extra?.kind === 'ident' && spec.condition !== 'none')
        this.fail(`a condition for ${start.text} (e.g. ${conditionExample(spec.condition)})`, extra);
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
    let condition: Condition | undefined;
    if (kind !== 'none') {
      if (this.atCondition()) condition = this.condition(kind);
      else if (kind !== 'optional-number')
        this.fail(`a condition for ${start.text} (e.g. ${conditionExample(kind)})`);
    } else if (this.atCondition()) {
      const at = this.tok;
      throw new DqdlSyntaxError(`${start.text} takes no condition`, at.line, at.column);
    }
    let filter = where();
    let threshold: Condition | undefined;
    const options: Record<string, string | number> = {};
    let labels: Record<string, string> | undefined;
    while (this.isWord('with', 'labels', 'where')) {
      if (this.isWord('labels')) {
        if (labels) this.fail('one labels=[...] per rule');
        labels = this.labels();
        continue;
      }
      if (this.isWord('where')) {
        if (filter !== undefined) this.fail('one where clause per rule');
        filter = where();
        continue;
      }
      this.i++; // with
      const name = this.expect('ident', undefined, 'threshold or an option name after with');
      if (name.text === 'threshold') {
        if (!spec.threshold)
          throw new DqdlSyntaxError(`${start.text} does not take a threshold`, name.line, name.column);
        if (threshold) throw new DqdlSyntaxError('a rule may have one threshold', name.line, name.column);
        threshold = this.condition('number');
        continue;
      }
      this.punct('=');
      // Glue's tags take one quoted string or one number (so "true", not true).
      if (this.is('string')) {
        const value = this.tokens[this.i++]!;
        if (name.text === 'timeZone' && !isTimeZone(value.text))
          throw new DqdlSyntaxError(
            `unknown time zone "${value.text}" (e.g. "America/New_York" or "UTC")`,
            value.line,
            value.column,
          );
        options[name.text] = value.text;
      } else if (this.is('number')) options[name.text] = Number(this.tokens[this.i++]!.text);
      else this.fail(`a value for ${name.text} (a quoted string or a number)`);
    }
    if (start.text === 'CustomSql' && condition && threshold)
      throw new DqdlSyntaxError(
        'CustomSql takes a condition or a threshold, not both',
        start.line,
        start.column,
      );
    if (labels && Object.keys({ ...this.defaultLabels, ...labels }).length > 10)
      throw new DqdlSyntaxError(
        'a rule may have at most 10 labels, DefaultLabels included',
        start.line,
        start.column,
      );
    return {
      kind: 'rule',
      type: start.text,
      params,
      ...(condition ? { condition } : {}),
      ...(filter !== undefined ? { where: filter } : {}),
      ...(threshold ? { threshold } : {}),
      options,
      ...(labels ? { labels } : {}),
      line: start.line,
      column: start.column,
    };
  }

  private params(): string[] {
    const params: string[] = [];
    for (;;) {
      // Connector words: `Completeness of col`, `ColumnCorrelation of a and b`.
      if (
        this.isWord('of', 'OF') ||
        (this.isWord('and', 'AND') && params.length > 0 && this.paramFollows(1))
      ) {
        this.i++;
        continue;
      }
      if (this.is('string')) {
        params.push(this.tokens[this.i++]!.text);
        continue;
      }
      if (this.is('ident') && this.tok.text.startsWith('$')) {
        const ref = this.tokens[this.i++]!;
        const value = this.constants[ref.text.slice(1)];
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
      if (this.is('ident') && !STOP_WORDS.has(this.tok.text)) {
        params.push(this.tokens[this.i++]!.text);
        continue;
      }
      return params;
    }
  }

  private paramFollows(ahead: number): boolean {
    const t = this.peek(ahead);
    return t.kind === 'string' || (t.kind === 'ident' && !STOP_WORDS.has(t.text) && !(t.text in RULE_TYPES));
  }

  private atCondition(): boolean {
    return (
      (this.is('punct') && COMPARE_OPS.has(this.tok.text)) || this.isWord('between', 'not', 'in', 'matches')
    );
  }

  private condition(kind: Expected): Condition {
    const at = this.tok;
    let cond: Condition;
    let negated = false;
    if (this.isWord('not')) {
      this.i++;
      negated = true;
      if (!this.isWord('between', 'in', 'matches')) this.fail("between, in or matches after 'not'");
    }
    if (this.isWord('between')) {
      this.i++;
      const low = this.operand();
      if (!this.isWord('and', 'AND')) this.fail("'and' (between X and Y)");
      this.i++;
      cond = { kind: 'between', negated, low, high: this.operand() };
    } else if (this.isWord('in')) {
      this.i++;
      // `in $list` names a constant; any other list is written out, with at least one value.
      const items =
        this.is('ident') && this.tok.text.startsWith('$')
          ? [this.term()]
          : this.list(() => this.operand(), 'at least one value');
      cond = { kind: 'in', negated, items };
    } else if (this.isWord('matches')) {
      this.i++;
      // Glue's regular expressions are Java's; the evaluator says if one is beyond JavaScript.
      const pattern = this.expect('string', undefined, 'a quoted regular expression after matches');
      cond = { kind: 'matches', negated, pattern: pattern.text };
    } else if (this.is('punct') && COMPARE_OPS.has(this.tok.text)) {
      const op = this.tokens[this.i++]!.text as CompareOp;
      cond = { kind: 'compare', op, operand: this.operand() };
    } else return this.fail(`a condition (e.g. ${conditionExample(kind)})`);
    checkConditionKind(cond, kind, at);
    return cond;
  }

  /** An operand: flat left-associative arithmetic, as in Glue's grammar. */
  private operand(): Expr {
    let left = this.term();
    while (this.is('punct') && ['+', '-', '*', '/'].includes(this.tok.text)) {
      const op = this.tokens[this.i++]!.text as '+' | '-' | '*' | '/';
      left = { kind: 'binary', op, left, right: this.term() };
    }
    return left;
  }

  private term(): Expr {
    const t = this.tok;
    if (t.kind === 'punct' && t.text === '-' && this.peek().kind === 'number') {
      this.i++;
      return this.numberOrUnit(true);
    }
    if (t.kind === 'number') return this.numberOrUnit(false);
    if (t.kind === 'string') {
      this.i++;
      // Glue's lexer makes these shapes a date or a time before it looks at their digits.
      if (DATE_SHAPE.test(t.text)) {
        if (!isCalendarDate(t.text))
          throw new DqdlSyntaxError(`"${t.text}" is not a calendar date (YYYY-MM-DD)`, t.line, t.column);
        return { kind: 'date', text: t.text };
      }
      if (TIME_SHAPE.test(t.text)) {
        if (!isClockTime(t.text))
          throw new DqdlSyntaxError(
            `"${t.text}" is not a time of day (e.g. "9:30 AM" or "21:45")`,
            t.line,
            t.column,
          );
        return { kind: 'time', text: t.text };
      }
      return { kind: 'string', value: t.text };
    }
    if (t.kind === 'punct' && t.text === '(') {
      this.i++;
      const inner = this.operand();
      this.punct(')');
      return { kind: 'paren', inner };
    }
    if (t.kind === 'ident') {
      const upper = t.text.toUpperCase();
      if (
        (upper === 'NULL' || upper === 'EMPTY' || upper === 'WHITESPACES_ONLY') &&
        (t.text === upper || t.text === t.text.toLowerCase())
      ) {
        this.i++;
        return { kind: 'keyword', name: upper as 'NULL' | 'EMPTY' | 'WHITESPACES_ONLY' };
      }
      if (t.text.startsWith('$')) {
        // Constants come before the rules, so one not declared by now never will be.
        if (!(t.text.slice(1) in this.constants))
          throw new DqdlSyntaxError(`constant ${t.text} is not defined`, t.line, t.column);
        this.i++;
        return { kind: 'variable', name: t.text.slice(1) };
      }
      if (this.peek().kind === 'punct' && this.peek().text === '(') {
        this.i += 2;
        const args: Expr[] = [];
        while (!this.is('punct', ')')) {
          args.push(this.operand());
          if (this.is('punct', ',')) this.i++;
          else if (!this.is('punct', ')')) this.fail("',' or ')'");
        }
        this.i++;
        return { kind: 'call', name: t.text, args };
      }
    }
    return this.fail('a number, a quoted value, NULL, now() or an expression like avg(last(10))');
  }

  private numberOrUnit(negative: boolean): Expr {
    const t = this.tokens[this.i++]!;
    const value = Number(t.text) * (negative ? -1 : 1);
    const text = negative ? `-${t.text}` : t.text;
    const unit = this.is('ident') && (DURATION_UNITS.has(this.tok.text) || SIZE_UNITS.has(this.tok.text));
    if (!unit) return { kind: 'number', value, text };
    // Glue counts durations and sizes in whole units only.
    if (negative || !/^\d+$/.test(t.text))
      throw new DqdlSyntaxError(
        `${text} ${this.tok.text}: a duration or size is a whole number of units`,
        t.line,
        t.column - (negative ? 1 : 0),
      );
    if (DURATION_UNITS.has(this.tok.text))
      return { kind: 'duration', amount: value, unit: this.tokens[this.i++]!.text as 'days' };
    return { kind: 'size', amount: value, unit: this.tokens[this.i++]!.text as 'B' };
  }
}

function describe(t: Token): string {
  if (t.kind === 'string') return `"${t.text}"`;
  if (t.kind === 'number') return t.text;
  return `'${t.text}'`;
}
