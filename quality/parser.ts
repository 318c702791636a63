/**
 * A recursive-descent parser for DQDL. It accepts what AWS Glue accepts (and a few forms the
 * AWS documentation shows that Glue's grammar is lenient about), checks each rule against the
 * rule-type table, and reports the first error with its line, column and what was expected.
 *
 * The entry point; the grammar is in ruleset-parser (sections), rule-tree (and/or),
 * rule-parser (one rule), condition-parser and condition-types (conditions and their operands).
 */
import type { RuleNode, Ruleset } from './ast.ts';
import { tokenize } from './lexer.ts';
import { ruleNode } from './rule-tree.ts';
import { ruleset } from './ruleset-parser.ts';
import { TokenCursor } from './token-cursor.ts';

export function parseRuleset(source: string): Ruleset {
  return ruleset(new TokenCursor(tokenize(source)));
}

/** Parse a single rule, e.g. `Completeness "title" > 0.95`. */
export function parseRule(source: string): RuleNode {
  const c = new TokenCursor(tokenize(source));
  // A rule alone has no constants or DefaultLabels to refer to.
  const node = ruleNode(c, { constants: {} });
  c.expectEnd();
  return node;
}
