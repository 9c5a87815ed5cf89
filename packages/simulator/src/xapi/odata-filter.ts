/**
 * A small OData v4 `$filter` compiler for the forms integrators use against XAPI:
 * `eq ne gt ge lt le`, `and or not`, parentheses, `contains/startswith/endswith`,
 * `tolower/toupper`, `date(Field)`, and string, number, boolean, null, date and
 * date-time literals.
 */

/** Raised for a `$filter` 3CX would reject with 400. */
export class ODataQueryError extends Error {}

type Value = string | number | boolean | null | { date: string } | { time: number };
type Expr = (item: Record<string, unknown>) => Value;

const TOKEN =
  /\s*(?:(\()|(\))|(,)|'((?:[^']|'')*)'|(\d{4}-\d{2}-\d{2}T[0-9:.]+(?:Z|[+-]\d{2}:\d{2})?)|(\d{4}-\d{2}-\d{2})|(-?\d+(?:\.\d+)?)|([A-Za-z_][\w/]*))/y;

function tokenize(text: string): string[][] {
  const out: string[][] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (!m) throw new ODataQueryError(`Syntax error at position ${at} in '${text}'.`);
    const kinds = ['(', ')', ',', 'str', 'dt', 'date', 'num', 'id'];
    const idx = m.slice(1).findIndex((g) => g !== undefined);
    out.push([kinds[idx] ?? 'id', m[idx + 1] ?? '']);
  }
  return out;
}

/** Compiles `$filter` text into a predicate. Throws {@link ODataQueryError}. */
export function compileFilter(
  text: string,
  fields: readonly string[],
): (item: Record<string, unknown>) => boolean {
  const toks = tokenize(text);
  let i = 0;
  const peek = () => toks[i];
  const isWord = (w: string) => peek()?.[0] === 'id' && peek()?.[1]?.toLowerCase() === w;
  const expect = (kind: string) => {
    if (peek()?.[0] !== kind) throw new ODataQueryError(`Expected '${kind}' in '${text}'.`);
    i++;
  };
  const orExpr = (): Expr => {
    let left = andExpr();
    while (isWord('or')) {
      i++;
      const l = left,
        r = andExpr();
      left = (x) => truthy(l(x)) || truthy(r(x));
    }
    return left;
  };
  const andExpr = (): Expr => {
    let left = unary();
    while (isWord('and')) {
      i++;
      const l = left,
        r = unary();
      left = (x) => truthy(l(x)) && truthy(r(x));
    }
    return left;
  };
  const unary = (): Expr => {
    if (isWord('not')) {
      i++;
      const e = unary();
      return (x) => !truthy(e(x));
    }
    const left = operand();
    const op = peek()?.[1]?.toLowerCase();
    if (peek()?.[0] === 'id' && op && ['eq', 'ne', 'gt', 'ge', 'lt', 'le'].includes(op)) {
      i++;
      const right = operand();
      return (x) => compare(left(x), right(x), op);
    }
    return left;
  };
  const operand = (): Expr => {
    const t = peek();
    if (!t) throw new ODataQueryError(`Unexpected end of '${text}'.`);
    i++;
    const [kind, v = ''] = t;
    if (kind === '(') {
      const e = orExpr();
      expect(')');
      return e;
    }
    if (kind === 'str') {
      const s = v.replace(/''/g, "'");
      return () => s;
    }
    if (kind === 'num') {
      const n = Number(v);
      return () => n;
    }
    if (kind === 'date') return () => ({ date: v });
    if (kind === 'dt') {
      const ms = Date.parse(v);
      if (Number.isNaN(ms)) throw new ODataQueryError(`Bad date-time ${v}.`);
      return () => ({ time: ms });
    }
    if (kind !== 'id') throw new ODataQueryError(`Unexpected '${v || kind}' in '${text}'.`);
    const word = v.toLowerCase();
    if (word === 'true' || word === 'false') return () => word === 'true';
    if (word === 'null') return () => null;
    if (peek()?.[0] === '(') return call(word);
    if (!fields.includes(v)) throw new ODataQueryError(`Could not find a property named '${v}'.`);
    return (x) => (x[v] ?? null) as Value;
  };
  const call = (fn: string): Expr => {
    expect('(');
    const args: Expr[] = [orExpr()];
    while (peek()?.[0] === ',') {
      i++;
      args.push(orExpr());
    }
    expect(')');
    const [a, b] = args;
    if (!a) throw new ODataQueryError(`${fn} needs arguments.`);
    const text = (v: unknown) =>
      v === null || v === undefined
        ? ''
        : typeof v === 'object'
          ? JSON.stringify(v)
          : String(v as string | number | boolean); // eslint-disable-line @typescript-eslint/no-unnecessary-type-assertion -- narrows unknown for no-base-to-string
    const str = (e: Expr | undefined, x: Record<string, unknown>) => text(e ? e(x) : '').toLowerCase();
    switch (fn) {
      case 'contains':
        return (x) => str(a, x).includes(str(b, x));
      case 'startswith':
        return (x) => str(a, x).startsWith(str(b, x));
      case 'endswith':
        return (x) => str(a, x).endsWith(str(b, x));
      case 'tolower':
        return (x) => text(a(x)).toLowerCase();
      case 'toupper':
        return (x) => text(a(x)).toUpperCase();
      case 'date':
        return (x) => {
          const v = a(x);
          return typeof v === 'string' ? { date: v.slice(0, 10) } : null;
        };
      default:
        throw new ODataQueryError(`Unknown function '${fn}'.`);
    }
  };
  const expr = orExpr();
  if (i < toks.length) throw new ODataQueryError(`Syntax error near '${toks[i]?.[1] ?? ''}' in '${text}'.`);
  return (item) => truthy(expr(item));
}

function truthy(v: Value): boolean {
  return v === true;
}

function norm(v: Value, other: Value): string | number | boolean | null {
  if (v && typeof v === 'object') return 'date' in v ? v.date : v.time;
  if (typeof v === 'string' && other && typeof other === 'object')
    return 'date' in other ? v.slice(0, 10) : Date.parse(v);
  return v;
}

function compare(l: Value, r: Value, op: string): boolean {
  const a = norm(l, r);
  const b = norm(r, l);
  switch (op) {
    case 'eq':
      return a === b;
    case 'ne':
      return a !== b;
    default: {
      if (a === null || b === null) return false;
      if (op === 'gt') return a > b;
      if (op === 'ge') return a >= b;
      if (op === 'lt') return a < b;
      return a <= b;
    }
  }
}
