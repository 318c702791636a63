/** The parsed form of a DQDL ruleset. Positions are 1-based. */

export type Expr =
  | { readonly kind: 'number'; readonly value: number; readonly text: string }
  | { readonly kind: 'string'; readonly value: string }
  /** A quoted "YYYY-MM-DD" (midnight UTC). */
  | { readonly kind: 'date'; readonly text: string }
  /** A quoted "9:30 AM" or "21:45" (today, UTC). */
  | { readonly kind: 'time'; readonly text: string }
  | { readonly kind: 'keyword'; readonly name: 'NULL' | 'EMPTY' | 'WHITESPACES_ONLY' }
  | { readonly kind: 'duration'; readonly amount: number; readonly unit: 'days' | 'hours' | 'minutes' }
  | { readonly kind: 'size'; readonly amount: number; readonly unit: 'B' | 'KB' | 'MB' | 'GB' | 'TB' }
  /** now(), last(k), avg(...), index(...), ... */
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly Expr[] }
  | { readonly kind: 'binary'; readonly op: '+' | '-' | '*' | '/'; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'paren'; readonly inner: Expr }
  | { readonly kind: 'variable'; readonly name: string };

export type CompareOp = '=' | '!=' | '>' | '>=' | '<' | '<=';

export type Condition =
  | { readonly kind: 'compare'; readonly op: CompareOp; readonly operand: Expr }
  | { readonly kind: 'between'; readonly negated: boolean; readonly low: Expr; readonly high: Expr }
  | { readonly kind: 'in'; readonly negated: boolean; readonly items: readonly Expr[] }
  | { readonly kind: 'matches'; readonly negated: boolean; readonly pattern: string };

export interface Position {
  readonly line: number;
  readonly column: number;
}

export interface Rule extends Position {
  readonly kind: 'rule';
  readonly type: string;
  /** Column names (or the rule's other string parameters), in order. */
  readonly params: readonly string[];
  readonly condition?: Condition;
  readonly where?: string;
  readonly threshold?: Condition;
  /** `with name = value` options other than threshold (timeZone, hashAlgorithm, ...). */
  readonly options: Readonly<Record<string, string | number>>;
  readonly labels?: Readonly<Record<string, string>>;
}

export interface Composite extends Position {
  readonly kind: 'composite';
  readonly op: 'and' | 'or';
  readonly operands: readonly RuleNode[];
  readonly labels?: Readonly<Record<string, string>>;
}

export type RuleNode = Rule | Composite;

export type DictValue = string | readonly DictValue[] | { readonly [key: string]: DictValue };

export interface Ruleset {
  readonly metadata?: Readonly<Record<string, DictValue>>;
  readonly dataSources?: Readonly<Record<string, DictValue>>;
  readonly constants: Readonly<Record<string, Expr | readonly Expr[]>>;
  readonly defaultLabels?: Readonly<Record<string, string>>;
  readonly rules: readonly RuleNode[];
  readonly analyzers: readonly Rule[];
}
