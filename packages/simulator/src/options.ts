import { z } from 'zod';
import type { PgCluster } from '@3cx-relay/pg-cluster';

/** Version modes: `20.0.8` (Update 7 era, `expires_in` in minutes) and `20.0.9` (+ seconds). */
export type VersionMode = '20.0.8' | '20.0.9';

/** Options of {@link startSimulator}. Every field is optional except `pgUrl`. */
export interface SimulatorOptions {
  /** Loopback port; 0 (default) picks a free one. */
  port?: number;
  /** PostgreSQL superuser URL; the simulator creates its database and read-only role there. */
  pgUrl: string;
  /** Database name. Default `database_single`. */
  dbName?: string;
  /** Read-only login role (cluster-global: use unique names in parallel tests). Default `logsreader_single`. */
  readonlyRole?: string;
  /** Folder to write `3CXPhoneSystem.ini` into. */
  iniDir?: string;
  /** ini key layout; default `sections` for 20.0.8 and `flat` for 20.0.9 (see README). */
  iniLayout?: 'sections' | 'flat';
  /** Version mode. Default `20.0.8`. */
  version?: VersionMode;
  /** Seed of every random choice (callers, answering agent, duplicate Upserts). Default 1. */
  seed?: number;
  /** Real ms per simulated ms: 0.01 runs a 30 s call flow in 0.3 s. Default 1. */
  timeScale?: number;
  /** Scenario to run once at start. */
  scenario?: string;
  /** Load mode: new calls per second (real time), with the scenario mix. */
  loadRate?: number;
  /** Gentle continuous calls for `npm start`. */
  demo?: boolean;
  /** Probability (0..1) that an Upsert frame is sent twice ([FIELD S6]). Default 0.3. */
  duplicateUpsertProbability?: number;
  /** Quirk knob: fill `party_did` on inbound trunk calls (real V20: empty). Default false. */
  fillPartyDid?: boolean;
  /** Token lifetime in seconds. Default 3600. */
  tokenLifetimeSec?: number;
  /** Extensions the Owner client monitors. Default 100–104 (105 stays unmonitored). */
  ownerMonitors?: string[];
  /** Extensions on the PBX: 100–105, and from 7 on also 1000, 1001, … (benchmarks). Default 6. */
  extensionCount?: number;
  /**
   * Presence that changes over time: every this many simulated seconds one random user changes
   * profile, queue login or registration. 0 (default) = only through `/__sim/users`; demo mode 45.
   */
  presenceChangeEverySec?: number;
  /** Drop the database and role on stop (tests). Default false. */
  dropOnStop?: boolean;
  /**
   * Test determinism, not a 3CX behaviour: before each scripted step of a call (an answer, a
   * hang-up, a ring timing out), wait until every WebSocket client that can see one of the call's
   * legs has read that leg's current state with a GET (at most `waitForReadersMaxMs` real ms).
   * A real PBX does not wait, but its rings and talks last seconds, while a compressed `timeScale`
   * makes them last milliseconds, shorter than a client's GET on a loaded machine. Default false.
   */
  waitForReaders?: boolean;
  /** Real ms a scripted step waits for readers at most. Default 3000. */
  waitForReadersMaxMs?: number;
  /** When given, the `dbDown` fault stops/starts this cluster instead of blocking the database. */
  pgCluster?: PgCluster;
  /** Diagnostics sink; the simulator never writes to the console itself. */
  log?: (message: string, ctx?: Record<string, unknown>) => void;
}

const schema = z.object({
  port: z.number().int().min(0).max(65535).default(0),
  pgUrl: z.string().regex(/^postgres(ql)?:\/\//, 'pgUrl must be a postgresql:// URL'),
  dbName: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/)
    .default('database_single'),
  readonlyRole: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/)
    .default('logsreader_single'),
  iniDir: z.string().optional(),
  iniLayout: z.enum(['sections', 'flat']).optional(),
  version: z.enum(['20.0.8', '20.0.9']).default('20.0.8'),
  seed: z.number().int().default(1),
  timeScale: z.number().positive().default(1),
  scenario: z.string().optional(),
  loadRate: z.number().nonnegative().optional(),
  demo: z.boolean().default(false),
  duplicateUpsertProbability: z.number().min(0).max(1).default(0.3),
  fillPartyDid: z.boolean().default(false),
  tokenLifetimeSec: z.number().int().positive().default(3600),
  ownerMonitors: z.array(z.string()).default(['100', '101', '102', '103', '104']),
  extensionCount: z.number().int().min(6).max(5000).default(6),
  presenceChangeEverySec: z.number().min(0).optional(),
  dropOnStop: z.boolean().default(false),
  waitForReaders: z.boolean().default(false),
  waitForReadersMaxMs: z.number().int().min(1).max(60_000).default(3000),
});

/** Options after defaults and validation. */
export type ResolvedOptions = z.infer<typeof schema> & Pick<SimulatorOptions, 'pgCluster' | 'log'>;

/** Validates options; throws one line per bad setting. */
export function resolveOptions(o: SimulatorOptions): ResolvedOptions {
  const { pgCluster, log, ...rest } = o;
  const parsed = schema.safeParse(rest);
  if (!parsed.success) {
    throw new Error(
      parsed.error.issues.map((i) => `simulator option ${i.path.join('.')}: ${i.message}`).join('\n'),
    );
  }
  return { ...parsed.data, pgCluster, log };
}
