/** How big a run is: `full` (bench), `quick` (bench --quick), `test` (Vitest). */
export type Scale = 'full' | 'quick' | 'test';

/** What every scenario gets. */
export interface ScenarioContext {
  /** Superuser URL of a PostgreSQL cluster the scenario may create databases and roles in. */
  pgUrl: string;
  scale: Scale;
}

/** One pass/fail check of a scenario, with what was seen. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/** A scenario's outcome: figures to print and the checks they were judged by. */
export interface ScenarioResult {
  name: string;
  /** Ordered figures, e.g. `["events produced", 1234]`. */
  figures: [string, string | number][];
  checks: Check[];
  durationMs: number;
}

/** A runnable scenario. */
export interface Scenario {
  name: string;
  /** One line: what it proves. */
  title: string;
  run(ctx: ScenarioContext): Promise<ScenarioResult>;
}

/** Whether every check passed. */
export function passed(r: ScenarioResult): boolean {
  return r.checks.length > 0 && r.checks.every((c) => c.ok);
}

/** Picks a value by scale. */
export function byScale<T>(scale: Scale, values: Record<Scale, T>): T {
  return values[scale];
}

/** Collects figures and checks while a scenario runs. */
export class Findings {
  readonly figures: [string, string | number][] = [];
  readonly checks: Check[] = [];
  private readonly started = Date.now();

  constructor(readonly name: string) {}

  figure(label: string, value: string | number): void {
    this.figures.push([label, value]);
  }

  check(name: string, ok: boolean, detail: string | number = ''): boolean {
    this.checks.push({ name, ok, detail: String(detail) });
    return ok;
  }

  /** Records a thrown error as a failed check (the scenario still returns its figures). */
  fail(step: string, err: unknown): void {
    this.check(step, false, err instanceof Error ? err.message : String(err));
  }

  result(): ScenarioResult {
    return {
      name: this.name,
      figures: this.figures,
      checks: this.checks,
      durationMs: Date.now() - this.started,
    };
  }
}

/** Bytes as MiB with one decimal. */
export function mib(bytes: number | null): string {
  return bytes === null ? 'n/a' : `${(bytes / 1048576).toFixed(1)} MiB`;
}
