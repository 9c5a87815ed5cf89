import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Files known to run longest, slowest first. On a fresh clone Vitest has no timing cache and
 * keeps glob order, which put these short wrapper files (fault scenarios, the installer) last:
 * one of them then ran alone for a minute while the other worker idled. Starting them first lets
 * the many short files fill the other worker around them. A file missing here only runs later.
 */
const SLOW_FIRST = [
  'scripts/test/faults/own-db-restart.test.ts',
  'scripts/test/faults/security-probe.test.ts',
  'scripts/test/faults/pbx-faults.test.ts',
  'scripts/test/install.test.ts',
  'relay-worker/test/api/active-calls-fallback.test.ts',
  'relay-worker/test/sources/scenarios.test.ts',
  'scripts/test/faults/crash-safety.test.ts',
  'relay-worker/test/sources/cdr-cursor.test.ts',
  'relay-worker/test/sources/cdr-flows.test.ts',
  'scripts/test/faults/hostile-input.test.ts',
  'scripts/test/faults/receiver-outage.test.ts',
  'relay-worker/test/sources/callcontrol-quirks.test.ts',
  'packages/client/test/packed-package.test.ts',
];

/** Runs the known slow files first, then the rest as Vitest would order them (largest first once cached). */
export default class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = SLOW_FIRST.findIndex((p) => f.moduleId.endsWith(`/${p}`));
      return i === -1 ? SLOW_FIRST.length : i;
    };
    const rest = await super.sort(files);
    return rest
      .map((f, i) => ({ f, i }))
      .sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i)
      .map(({ f }) => f);
  }
}
