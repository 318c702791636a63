/**
 * `where "..."` filters: the subset of Spark SQL boolean expressions a data-quality filter needs
 * (comparisons, AND/OR/NOT, IS [NOT] NULL, [NOT] IN, [NOT] BETWEEN, [NOT] LIKE, arithmetic and a
 * few scalar functions), compiled once to a closure over a row's values. SQL's three-valued
 * logic applies: a comparison with NULL is NULL, and a row is kept only when the filter is TRUE.
 */

export type SqlValue = string | number | boolean | null;
type Compiled = (row: readonly SqlValue[]) => SqlValue;

export class WhereError extends Error {}

interface Tok {
  kind: 'num' | 'str' | 'id' | 'op';
  text: string;
}

function lex(sql: string): Tok[] {
  const out: Tok[] = [];
  const re =
    /\s*(?:(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|'((?:[^']|'')*)'|"((?:[^"\\]|\\.)*)"|`((?:[^`]|``)+)`|([A-Za-z_][A-Za-z0-9_.]*)|(<=|>=|<>|!=|==|[=<>+\-*/%(),]))/y;
  let i = 0;
  while (i < sql.length) {
    if (/^\s*$/.test(sql.slice(i))) break;
    re.lastIndex = i;
    const m = re.exec(sql);
    if (!m) throw new WhereError(`cannot read the filter at "${sql.slice(i).trim().slice(0, 20)}"`);
    i = re.lastIndex;
    if (m[1] !== undefined) out.push({ kind: 'num', text: m[1] });
    else if (m[2] !== undefined) out.push({ kind: 'str', text: m[2].replace(/''/g, "'") });
    else if (m[3] !== undefined) out.push({ kind: 'str', text: m[3].replace(/\\(.)/g, '$1') });
    else if (m[4] !== undefined) out.push({ kind: 'id', text: m[4].replace(/``/g, '`') });
    else if (m[5] !== undefined) out.push({ kind: 'id', text: m[5] });
    else out.push({ kind: 'op', text: m[6]! });
  }
  return out;
}

const FUNCTIONS: Record<string, (args: SqlValue[]) => SqlValue> = {
  length: ([s]) => (s === null || s === undefined ? null : String(s).length),
  char_length: ([s]) => (s === null || s === undefined ? null : String(s).length),
  lower: ([s]) => (s === null || s === undefined ? null : String(s).toLowerCase()),
  upper: ([s]) => (s === null || s === undefined ? null : String(s).toUpperCase()),
  trim: ([s]) => (s === null || s === undefined ? null : String(s).trim()),
  abs: ([n]) => (n === null || n === undefined ? null : Math.abs(Number(n))),
  coalesce: (args) => args.find((a) => a !== null) ?? null,
  isnull: ([v]) => v === null,
  isnotnull: ([v]) => v !== null,
};

/**
 * Compile a filter against column names. `resolve` maps a name to its index in the row, or -1.
 * Throws WhereError with one sentence when the filter is not understood.
 */
export function compileWhere(
  sql: string,
  resolve: (name: string) => number,
): (row: readonly SqlValue[]) => boolean {
  const toks = lex(sql);
  let p = 0;
  const peekWord = (...words: string[]): boolean =>
    toks[p]?.kind === 'id' && words.includes(toks[p]!.text.toUpperCase());
  const peekOp = (...ops: string[]): boolean => toks[p]?.kind === 'op' && ops.includes(toks[p]!.text);
  const take = (): Tok => {
    const t = toks[p++];
    if (!t) throw new WhereError('the filter ends too early');
    return t;
  };
  const expectOp = (op: string): void => {
    if (!peekOp(op)) throw new WhereError(`expected '${op}' in the filter`);
    p++;
  };

  const or = (): Compiled => {
    let left = and();
    while (peekWord('OR')) {
      p++;
      const l = left;
      const r = and();
      left = (row) => {
        const a = l(row);
        if (a === true) return true;
        const b = r(row);
        if (b === true) return true;
        return a === null || b === null ? null : false;
      };
    }
    return left;
  };
  const and = (): Compiled => {
    let left = not();
    while (peekWord('AND')) {
      p++;
      const l = left;
      const r = not();
      left = (row) => {
        const a = l(row);
        if (a === false) return false;
        const b = r(row);
        if (b === false) return false;
        return a === null || b === null ? null : true;
      };
    }
    return left;
  };
  const not = (): Compiled => {
    if (peekWord('NOT')) {
      p++;
      const inner = not();
      return (row) => {
        const v = inner(row);
        return v === null ? null : !v;
      };
    }
    return predicate();
  };
  const predicate = (): Compiled => {
    const left = additive();
    if (peekWord('IS')) {
      p++;
      const negate = peekWord('NOT') ? (p++, true) : false;
      if (!peekWord('NULL')) throw new WhereError('expected NULL after IS');
      p++;
      return (row) => (left(row) === null) !== negate;
    }
    const negate = peekWord('NOT') ? (p++, true) : false;
    if (peekWord('IN')) {
      p++;
      expectOp('(');
      const items: Compiled[] = [];
      for (;;) {
        items.push(additive());
        if (peekOp(',')) p++;
        else break;
      }
      expectOp(')');
      return (row) => {
        const v = left(row);
        if (v === null) return null;
        let sawNull = false;
        for (const item of items) {
          const w = item(row);
          if (w === null) sawNull = true;
          else if (compare(v, w) === 0) return !negate;
        }
        return sawNull ? null : negate;
      };
    }
    if (peekWord('BETWEEN')) {
      p++;
      const low = additive();
      if (!peekWord('AND')) throw new WhereError('expected AND in BETWEEN');
      p++;
      const high = additive();
      return (row) => {
        const v = left(row);
        const lo = low(row);
        const hi = high(row);
        if (v === null || lo === null || hi === null) return null;
        return (compare(v, lo) >= 0 && compare(v, hi) <= 0) !== negate;
      };
    }
    if (peekWord('LIKE', 'RLIKE')) {
      const regex = take().text.toUpperCase() === 'RLIKE';
      const pat = take();
      if (pat.kind !== 'str') throw new WhereError('expected a quoted pattern after LIKE');
      const re = regex ? new RegExp(pat.text, 'u') : likeToRegExp(pat.text);
      return (row) => {
        const v = left(row);
        return v === null ? null : re.test(String(v)) !== negate;
      };
    }
    if (negate) throw new WhereError('expected IN, BETWEEN or LIKE after NOT');
    if (peekOp('=', '==', '!=', '<>', '<', '<=', '>', '>=')) {
      const op = take().text;
      const right = additive();
      const test: (c: number) => boolean = {
        '=': (c: number) => c === 0,
        '==': (c: number) => c === 0,
        '!=': (c: number) => c !== 0,
        '<>': (c: number) => c !== 0,
        '<': (c: number) => c < 0,
        '<=': (c: number) => c <= 0,
        '>': (c: number) => c > 0,
        '>=': (c: number) => c >= 0,
      }[op]!;
      return (row) => {
        const a = left(row);
        const b = right(row);
        if (a === null || b === null) return null;
        const c = compare(a, b);
        return Number.isNaN(c) ? null : test(c);
      };
    }
    return left;
  };
  const additive = (): Compiled => {
    let left = multiplicative();
    while (peekOp('+', '-')) {
      const op = take().text;
      const l = left;
      const r = multiplicative();
      left = arithmetic(op, l, r);
    }
    return left;
  };
  const multiplicative = (): Compiled => {
    let left = unary();
    while (peekOp('*', '/', '%')) {
      const op = take().text;
      const l = left;
      const r = unary();
      left = arithmetic(op, l, r);
    }
    return left;
  };
  const unary = (): Compiled => {
    if (peekOp('-')) {
      p++;
      const inner = unary();
      return (row) => {
        const v = inner(row);
        return v === null ? null : -Number(v);
      };
    }
    return primary();
  };
  const primary = (): Compiled => {
    const t = take();
    if (t.kind === 'num') {
      const n = Number(t.text);
      return () => n;
    }
    if (t.kind === 'str') return () => t.text;
    if (t.kind === 'op' && t.text === '(') {
      const inner = or();
      expectOp(')');
      return inner;
    }
    if (t.kind === 'id') {
      const word = t.text.toUpperCase();
      if (word === 'NULL') return () => null;
      if (word === 'TRUE') return () => true;
      if (word === 'FALSE') return () => false;
      if (peekOp('(')) {
        const fn = FUNCTIONS[t.text.toLowerCase()];
        if (!fn) throw new WhereError(`the function ${t.text}() is not supported in filters here`);
        p++;
        const args: Compiled[] = [];
        if (!peekOp(')'))
          for (;;) {
            args.push(or());
            if (peekOp(',')) p++;
            else break;
          }
        expectOp(')');
        return (row) => fn(args.map((a) => a(row)));
      }
      const index = resolve(t.text);
      if (index < 0) throw new WhereError(`the filter names a column that does not exist: ${t.text}`);
      return (row) => row[index] ?? null;
    }
    throw new WhereError(`unexpected '${t.text}' in the filter`);
  };

  const root = or();
  if (p < toks.length) throw new WhereError(`unexpected '${toks[p]!.text}' in the filter`);
  return (row) => root(row) === true;
}

function arithmetic(op: string, l: Compiled, r: Compiled): Compiled {
  return (row) => {
    const a = l(row);
    const b = r(row);
    if (a === null || b === null) return null;
    const x = Number(a);
    const y = Number(b);
    switch (op) {
      case '+':
        return x + y;
      case '-':
        return x - y;
      case '*':
        return x * y;
      case '/':
        return y === 0 ? null : x / y;
      default:
        return y === 0 ? null : x % y;
    }
  };
}

/** Compare like Spark: numbers numerically (numeric strings too), otherwise as strings. */
function compare(a: SqlValue, b: SqlValue): number {
  if (typeof a === 'number' || typeof b === 'number') {
    const x = Number(a);
    const y = Number(b);
    if (Number.isNaN(x) || Number.isNaN(y)) return NaN;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function likeToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) re += escapeRe(pattern[++i]!);
    else if (c === '%') re += '.*';
    else if (c === '_') re += '.';
    else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`, 's');
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
