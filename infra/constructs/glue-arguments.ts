/**
 * What the Glue job gets from the TypeScript sources, as job arguments emitted at synth: the
 * contract (columns, aliases, coercions), the ruleset text, and which rules gate the batch.
 * One source of truth, so the two engines cannot drift. The job receives each one encoded
 * (encodeJobArgument) and decodes it in infra/glue/movie_etl.py.
 */
import { readFileSync } from 'node:fs';
import { Evaluation } from '../../quality/evaluate.ts';
import { parseRuleset } from '../../quality/parser.ts';
import { DEFAULT_RULESET_PATH } from '../../contract/check.ts';
import { contractJson, INPUT_COLUMNS, valueTypeOf } from '../../contract/contract.ts';

export interface GlueJobArguments {
  /** contractJson(), serialized. */
  readonly contract: string;
  /** The DQDL text, as Glue's EvaluateDataQuality takes it. */
  readonly ruleset: string;
  /** JSON array: [{ rule, gate }] in ruleset order (rule in canonical DQDL). */
  readonly gates: string;
}

export function glueJobArguments(rulesetPath = DEFAULT_RULESET_PATH): GlueJobArguments {
  const text = readFileSync(rulesetPath, 'utf8');
  const ruleset = parseRuleset(text);
  const columns = [
    ...INPUT_COLUMNS.map((c) => ({ name: c.name, type: valueTypeOf(c.coercion) })),
    { name: 'primary_genre', type: 'string' as const },
  ];
  const rules = new Evaluation(ruleset, { columns }).rules;
  return {
    contract: JSON.stringify(contractJson()),
    ruleset: text,
    gates: JSON.stringify(rules.map((r) => ({ rule: r.description, gate: r.tolerance }))),
  };
}

/**
 * Base64 of the UTF-8 text. Glue hands job arguments to the script on a command line, where
 * JSON quotes, the ruleset's newlines and a leading `--` do not survive reliably.
 */
export function encodeJobArgument(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}
