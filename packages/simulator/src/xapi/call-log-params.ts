/**
 * Parses the 11 parameters of `Pbx.GetCallLogData(...)`. A malformed list (missing, unknown
 * or repeated name, bad syntax) is a 404 on a real PBX; a bad date or a wrong type is a 500
 * ([FIELD S5]).
 */
export interface CallLogParams {
  periodFrom: Date;
  periodTo: Date;
  sourceType: number;
  sourceFilter: string | null;
  destinationType: number;
  destinationFilter: string | null;
  callsType: number;
  callTimeFilterType: number;
  callTimeFilterFrom: string | null;
  callTimeFilterTo: string | null;
  hidePcalls: boolean;
}

/** Parse outcome: the parameters, or the HTTP status a real PBX answers. */
export type ParseResult =
  { ok: true; params: CallLogParams } | { ok: false; status: 404 | 500; message: string };

const KINDS = {
  periodFrom: 'date',
  periodTo: 'date',
  sourceType: 'int',
  sourceFilter: 'str',
  destinationType: 'int',
  destinationFilter: 'str',
  callsType: 'int',
  callTimeFilterType: 'int',
  callTimeFilterFrom: 'str',
  callTimeFilterTo: 'str',
  hidePcalls: 'bool',
} as const;

const ISO_DT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function splitArgs(text: string): string[] | null {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "'") {
      if (quoted && text[i + 1] === "'") {
        cur += "''";
        i++;
        continue;
      }
      quoted = !quoted;
    }
    if (ch === ',' && !quoted) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += ch;
  }
  if (quoted) return null;
  out.push(cur);
  return out;
}

/** Parses the text between the parentheses. */
export function parseCallLogParams(text: string): ParseResult {
  const parts = splitArgs(text);
  const notFound = (message: string): ParseResult => ({ ok: false, status: 404, message });
  if (!parts) return notFound('Unbalanced quotes in the parameter list.');
  const raw = new Map<string, string>();
  for (const part of parts) {
    const eq = part.indexOf('=');
    const name = part.slice(0, eq).trim();
    if (eq < 0 || !(name in KINDS) || raw.has(name)) return notFound(`Bad parameter '${part}'.`);
    raw.set(name, part.slice(eq + 1).trim());
  }
  if (raw.size !== Object.keys(KINDS).length) return notFound('The function needs all 11 parameters.');
  const out: Record<string, unknown> = {};
  for (const [name, kind] of Object.entries(KINDS)) {
    const v = raw.get(name) ?? '';
    const fail = (): ParseResult => ({
      ok: false,
      status: 500,
      message: `The parameter '${name}' has an invalid value '${v}'.`,
    });
    if (kind === 'date') {
      if (!ISO_DT.test(v) || Number.isNaN(Date.parse(v))) return fail();
      out[name] = new Date(v);
    } else if (kind === 'int') {
      if (!/^-?\d+$/.test(v)) return fail();
      out[name] = Number(v);
    } else if (kind === 'bool') {
      if (!/^(true|false)$/.test(v)) return fail();
      out[name] = v === 'true';
    } else if (v === 'null') out[name] = null;
    else if (/^'.*'$/s.test(v)) out[name] = v.slice(1, -1).replace(/''/g, "'");
    else return fail();
  }
  return { ok: true, params: out as unknown as CallLogParams };
}
