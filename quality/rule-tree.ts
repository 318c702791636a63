/** Rules joined with and/or, in parentheses, and labelled as a whole: `(A and B) labels = [...]`. */
import type { Composite, RuleNode } from './ast.ts';
import { labelsClause } from './labels.ts';
import { rule, type RuleScope } from './rule-parser.ts';
import type { TokenCursor } from './token-cursor.ts';

/** or-expression of and-expressions of primaries ('and' binds tighter, as in Glue). */
export function ruleNode(c: TokenCursor, scope: RuleScope): RuleNode {
  return composite(c, 'or', () => composite(c, 'and', () => rulePrimary(c, scope)));
}

function composite(c: TokenCursor, op: 'and' | 'or', operand: () => RuleNode): RuleNode {
  const first = operand();
  const operands = [first];
  while (c.isWord(op, op.toUpperCase())) {
    c.next();
    operands.push(operand());
  }
  if (operands.length === 1) return first;
  const flat = operands.flatMap((n) =>
    n.kind === 'composite' && n.op === op && !n.labels ? n.operands : [n],
  );
  return { kind: 'composite', op, operands: flat, line: first.line, column: first.column };
}

function rulePrimary(c: TokenCursor, scope: RuleScope): RuleNode {
  if (c.is('punct', '(')) {
    c.next();
    const inner = ruleNode(c, scope);
    c.punct(')');
    if (c.isWord('labels')) {
      const labels = labelsClause(c);
      if (inner.kind === 'composite') return { ...inner, labels } as Composite;
      return { ...inner, labels };
    }
    // A parenthesized composite keeps its own identity, so (A or B) and C stays nested.
    return inner.kind === 'composite' ? { ...inner, labels: inner.labels } : inner;
  }
  return rule(c, scope, false);
}
