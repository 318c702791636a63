import { toInstant, Unsupported, type Cell } from '../conditions.ts';

const INT = /^[+-]?\d+$/;
/** Whether a value can be cast to a Spark type (ColumnDataType). */
export function castTest(type: string): (v: Cell) => boolean {
  const t = type.trim().toUpperCase();
  const text = (v: Cell): string => (typeof v === 'number' ? String(v) : String(v).trim());
  const withinBits = (bits: number) => (v: Cell) => {
    if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 2 ** (bits - 1);
    const s = text(v);
    if (!INT.test(s)) return false;
    const n = BigInt(s);
    return n >= -(2n ** BigInt(bits - 1)) && n < 2n ** BigInt(bits - 1);
  };
  const isNumber = (v: Cell): boolean =>
    typeof v === 'number' || (text(v) !== '' && !Number.isNaN(Number(text(v))));
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(t);
  if (decimal) {
    const [p, s] = [Number(decimal[1]), Number(decimal[2])];
    return (v) => {
      if (!isNumber(v)) return false;
      const [whole = '', frac = ''] = text(v).replace(/^[+-]/, '').split('.');
      return whole.replace(/^0+/, '').length <= p - s && frac.length <= s;
    };
  }
  switch (t) {
    case 'INTEGER':
    case 'INT':
      return withinBits(32);
    case 'LONG':
    case 'BIGINT':
      return withinBits(64);
    case 'SHORT':
    case 'SMALLINT':
      return withinBits(16);
    case 'DOUBLE':
    case 'FLOAT':
    case 'DECIMAL':
      return isNumber;
    case 'BOOLEAN':
      // Spark's cast accepts these spellings.
      return (v) =>
        ['true', 'false', 't', 'f', 'yes', 'no', 'y', 'n', '1', '0'].includes(text(v).toLowerCase());
    case 'DATE':
      return (v) => /^\d{4}-\d{2}-\d{2}$/.test(text(v)) && toInstant(text(v)) !== null;
    case 'TIMESTAMP':
      return (v) => toInstant(v) !== null;
    case 'STRING':
      return () => true;
    default:
      throw new Unsupported(
        `"${type}" is not a type ColumnDataType knows (Integer, Long, Double, Float, Decimal(p,s), Boolean, Date, Timestamp, String)`,
      );
  }
}
