/** One structured log line of the worker (pino JSON). */
export interface LogLine {
  level: number;
  msg: string;
  module?: string;
  [key: string]: unknown;
}

/** How often one kind of line (`module: msg`) was logged, and at which level. */
export interface LogKind {
  level: number;
  count: number;
}

/** pino's numeric levels. */
export const LEVEL = { info: 30, warn: 40, error: 50, fatal: 60 } as const;

/**
 * Reads the worker's pino output line by line and counts messages per kind (`module: msg`).
 * It keeps only the counts and the last few lines, so a flood of logs cannot grow memory.
 */
export class LogTally {
  readonly kinds = new Map<string, LogKind>();
  readonly recent: LogLine[] = [];
  /** Lines that were not JSON (startup noise, stack traces). */
  nonJson = 0;
  private partial = '';

  constructor(private readonly keepRecent = 200) {}

  /** Feeds a chunk of the worker's stdout. */
  push(chunk: Buffer | string): void {
    const lines = (this.partial + chunk.toString()).split('\n');
    this.partial = lines.pop() ?? '';
    if (this.partial.length > 1 << 20) this.partial = ''; // a line without end: drop it, keep memory bounded
    for (const line of lines) this.take(line);
  }

  private take(line: string): void {
    if (!line.trim()) return;
    let parsed: LogLine;
    try {
      parsed = JSON.parse(line) as LogLine;
    } catch {
      this.nonJson++;
      return;
    }
    const key = `${parsed.module ?? '-'}: ${parsed.msg}`;
    const kind = this.kinds.get(key) ?? { level: parsed.level, count: 0 };
    kind.count++;
    kind.level = Math.max(kind.level, parsed.level);
    this.kinds.set(key, kind);
    this.recent.push(parsed);
    if (this.recent.length > this.keepRecent) this.recent.shift();
  }

  /** Kinds logged at `level` or above, with their counts. */
  atLeast(level: number): Map<string, number> {
    const out = new Map<string, number>();
    for (const [k, v] of this.kinds) if (v.level >= level) out.set(k, v.count);
    return out;
  }

  /** Total lines whose kind contains `text`. */
  count(text: string): number {
    let n = 0;
    for (const [k, v] of this.kinds) if (k.includes(text)) n += v.count;
    return n;
  }

  /** Forgets every count (between phases of a scenario). */
  reset(): void {
    this.kinds.clear();
    this.recent.length = 0;
  }
}
