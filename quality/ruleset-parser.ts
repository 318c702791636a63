/**
 * A ruleset's sections, in the one order Glue reads them: Metadata, DataSources, constants,
 * DefaultLabels, Rules, Analyzers. Each at most once, and at least one rule or analyzer.
 */
import type { DictValue, Expr, Rule, RuleNode, Ruleset } from './ast.ts';
import { constantValue } from './condition-parser.ts';
import { labelList } from './labels.ts';
import { DqdlSyntaxError, type Token } from './lexer.ts';
import { rule } from './rule-parser.ts';
import { ruleNode } from './rule-tree.ts';
import { RULE_TYPES } from './rule-types.ts';
import type { TokenCursor } from './token-cursor.ts';

/** The sections in the order Glue reads them; constants sit between DataSources and DefaultLabels. */
const SECTION_ORDER = ['Metadata', 'DataSources', '', 'DefaultLabels', 'Rules', 'Analyzers'];
const CONSTANTS_RANK = 2;

export function ruleset(c: TokenCursor): Ruleset {
  let metadata: Record<string, DictValue> | undefined;
  let dataSources: Record<string, DictValue> | undefined;
  let defaultLabels: Record<string, string> | undefined;
  let rules: RuleNode[] | undefined;
  let analyzers: Rule[] | undefined;
  const constants: Record<string, Expr | Expr[]> = {};
  // What the rules see: the constants and DefaultLabels declared before them.
  const scope: { constants: typeof constants; defaultLabels?: Record<string, string> } = { constants };
  const once = (section: unknown, name: Token): void => {
    if (section !== undefined)
      throw new DqdlSyntaxError(`${name.text} is defined twice`, name.line, name.column);
  };
  let last: { name: string; rank: number } | undefined;
  const inOrder = (name: Token, rank: number): void => {
    if (last && rank < last.rank)
      throw new DqdlSyntaxError(
        `${rank === CONSTANTS_RANK ? `constant ${name.text}` : name.text} must come before ${last.name} (the order is Metadata, DataSources, constants, DefaultLabels, Rules, Analyzers)`,
        name.line,
        name.column,
      );
    last = { name: rank === CONSTANTS_RANK ? 'the constants' : name.text, rank };
  };
  while (!c.is('eof')) {
    const name = c.expect(
      'ident',
      undefined,
      'a section (Rules = [...], Analyzers = [...], Metadata = {...})',
    );
    if (name.text in RULE_TYPES && !c.is('punct', '='))
      throw new DqdlSyntaxError(
        `${name.text} is a rule type: put the rules inside Rules = [ ... ]`,
        name.line,
        name.column,
      );
    c.punct('=');
    const rank = SECTION_ORDER.indexOf(name.text);
    const constant = rank < 0 && /^[A-Za-z][A-Za-z0-9_]*$/.test(name.text);
    if (rank < 0 && !constant) c.fail('a section name', name);
    if (!(name.text in constants)) inOrder(name, constant ? CONSTANTS_RANK : rank);
    if (name.text === 'Metadata') {
      once(metadata, name);
      metadata = checkedDictionary(c, name, { Version: 'string' });
    } else if (name.text === 'DataSources') {
      once(dataSources, name);
      dataSources = checkedDictionary(c, name, { Primary: 'string', AdditionalDataSources: 'strings' });
    } else if (name.text === 'DefaultLabels') {
      once(defaultLabels, name);
      defaultLabels = scope.defaultLabels = labelList(c, undefined);
    } else if (name.text === 'Rules') {
      once(rules, name);
      rules = c.list(() => ruleNode(c, scope));
    } else if (name.text === 'Analyzers') {
      once(analyzers, name);
      analyzers = c.list(() => rule(c, scope, true));
    } else {
      if (name.text in constants)
        throw new DqdlSyntaxError(`constant ${name.text} is defined twice`, name.line, name.column);
      constants[name.text] = c.is('punct', '[')
        ? c.list(() => constantValue(c, constants, name), 'at least one quoted string')
        : constantValue(c, constants, name);
    }
  }
  if (!rules?.length && !analyzers?.length) {
    const end = c.tok;
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

/** A dictionary whose keys and value kinds Glue fixes (Metadata, DataSources). */
function checkedDictionary(
  c: TokenCursor,
  section: Token,
  allowed: Record<string, 'string' | 'strings'>,
): Record<string, DictValue> {
  const dict = dictionary(c);
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

function dictionary(c: TokenCursor): Record<string, DictValue> {
  c.punct('{');
  const out: Record<string, DictValue> = {};
  // At least one pair, and no trailing comma: Glue's grammar has neither.
  for (;;) {
    const key = c.expect('string', undefined, 'a quoted key');
    c.punct(':');
    out[key.text] = dictValue(c);
    if (c.is('punct', '}')) break;
    c.punct(',');
  }
  c.next();
  return out;
}

function dictValue(c: TokenCursor): DictValue {
  if (c.is('string')) return c.next().text;
  if (c.is('punct', '{')) return dictionary(c);
  if (c.is('punct', '[')) return c.list(() => dictValue(c), 'at least one quoted string');
  return c.fail('a quoted string, a list or a dictionary');
}
