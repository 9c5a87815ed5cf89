/** pino's numeric levels, as words of equal width. */
const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
};
const COLORS: Record<number, string> = { 10: '90', 20: '90', 30: '32', 40: '33', 50: '31', 60: '35' };
/** Fields every line has, shown in the line's head rather than as key=value. */
const HEAD = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'module', 'v']);

function showValue(v: unknown): string {
  if (typeof v === 'string') return /[\s"=]/.test(v) ? JSON.stringify(v) : v;
  return JSON.stringify(v);
}

/**
 * One pino JSON line as a person reads it on a terminal: `12:04:05.123 INFO  worker/http
 * message key=value …`, with an error's stack on the lines below. Anything that is not a pino
 * line (Next's own output, a stack trace) comes back unchanged.
 */
export function formatLogLine(line: string, color = false): string {
  if (!line.startsWith('{')) return line;
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  if (typeof rec.level !== 'number' || typeof rec.msg !== 'string') return line;
  const paint = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const time = typeof rec.time === 'number' ? new Date(rec.time).toISOString().slice(11, 23) : '';
  const level = paint(COLORS[rec.level] ?? '0', LEVELS[rec.level] ?? String(rec.level));
  const where = [rec.name, rec.module].filter((x) => typeof x === 'string' && x).join('/');
  let stack = '';
  const fields: string[] = [];
  for (const [k, v] of Object.entries(rec)) {
    if (HEAD.has(k) || v === undefined) continue;
    const err = (v ?? {}) as { message?: unknown; stack?: unknown };
    const trace: string | undefined = typeof err.stack === 'string' ? err.stack : undefined;
    if ((k === 'err' || k === 'error') && trace !== undefined) {
      fields.push(`${k}=${showValue(err.message)}`);
      stack = `\n${paint('90', trace.split('\n').slice(1).join('\n'))}`;
    } else fields.push(`${k}=${showValue(v)}`);
  }
  const rest = fields.length ? ` ${paint('90', fields.join(' '))}` : '';
  return `${paint('90', time)} ${level} ${where ? `${paint('36', where)} ` : ''}${rec.msg}${rest}${stack}`;
}
