/** Rulesets back to text, in one canonical spelling (used by `rules check` and rule descriptions). */
import type { Condition, DictValue, Expr, Rule, RuleNode, Ruleset } from './ast.ts';

function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function formatExpr(e: Expr): string {
  switch (e.kind) {
    case 'number':
      return e.text;
    case 'string':
      return quote(e.value);
    case 'date':
    case 'time':
      return quote(e.text);
    case 'keyword':
      return e.name;
    case 'duration':
    case 'size':
      return `${e.amount} ${e.unit}`;
    case 'call':
      return `${e.name}(${e.args.map(formatExpr).join(', ')})`;
    case 'binary':
      return `${formatExpr(e.left)} ${e.op} ${formatExpr(e.right)}`;
    case 'paren':
      return `(${formatExpr(e.inner)})`;
    case 'variable':
      return `$${e.name}`;
  }
}

export function formatCondition(c: Condition): string {
  const not = 'negated' in c && c.negated ? 'not ' : '';
  switch (c.kind) {
    case 'compare':
      return `${c.op} ${formatExpr(c.operand)}`;
    case 'between':
      return `${not}between ${formatExpr(c.low)} and ${formatExpr(c.high)}`;
    case 'in':
      return `${not}in [${c.items.map(formatExpr).join(', ')}]`;
    case 'matches':
      return `${not}matches ${quote(c.pattern)}`;
  }
}

function formatLabels(labels: Readonly<Record<string, string>>): string {
  return `labels=[${Object.entries(labels)
    .map(([k, v]) => `${quote(k)}=${quote(v)}`)
    .join(', ')}]`;
}

export function formatRule(rule: Rule): string {
  const parts = [rule.type, ...rule.params.map(quote)];
  if (rule.condition) parts.push(formatCondition(rule.condition));
  if (rule.where !== undefined) parts.push(`where ${quote(rule.where)}`);
  if (rule.threshold) parts.push(`with threshold ${formatCondition(rule.threshold)}`);
  for (const [name, value] of Object.entries(rule.options))
    parts.push(`with ${name} = ${typeof value === 'number' ? value : quote(value)}`);
  if (rule.labels) parts.push(formatLabels(rule.labels));
  return parts.join(' ');
}

export function formatNode(node: RuleNode): string {
  if (node.kind === 'rule') return formatRule(node);
  const text = node.operands.map((n) => `(${formatNode(n)})`).join(` ${node.op} `);
  return node.labels ? `(${text}) ${formatLabels(node.labels)}` : text;
}

function formatDict(value: DictValue): string {
  if (typeof value === 'string') return quote(value);
  if (Array.isArray(value)) return `[${value.map(formatDict).join(', ')}]`;
  const entries = Object.entries(value as Record<string, DictValue>);
  return `{ ${entries.map(([k, v]) => `${quote(k)}: ${formatDict(v)}`).join(', ')} }`;
}

export function formatRuleset(ruleset: Ruleset): string {
  const out: string[] = [];
  if (ruleset.metadata) out.push(`Metadata = ${formatDict(ruleset.metadata)}`);
  if (ruleset.dataSources) out.push(`DataSources = ${formatDict(ruleset.dataSources)}`);
  for (const [name, value] of Object.entries(ruleset.constants))
    out.push(
      `${name} = ${Array.isArray(value) ? `[${value.map(formatExpr).join(', ')}]` : formatExpr(value as Expr)}`,
    );
  if (ruleset.defaultLabels)
    out.push(`DefaultLabels = ${formatLabels(ruleset.defaultLabels).slice('labels='.length)}`);
  const section = (name: string, items: string[]): string =>
    `${name} = [\n${items.map((s) => `  ${s}`).join(',\n')}\n]`;
  if (ruleset.rules.length) out.push(section('Rules', ruleset.rules.map(formatNode)));
  if (ruleset.analyzers.length) out.push(section('Analyzers', ruleset.analyzers.map(formatRule)));
  return out.join('\n') + '\n';
}
