import { z } from 'zod';
import type { PgCluster } from '@3cx-relay/pg-cluster';

/**
 * Version modes (what differs: README "Version modes"): `20.0.8` (`expires_in` in minutes),
 * `20.0.9` (seconds; `SystemStatus.UserExtensions`), `20.0.10` (`CallLogData.Recordings`,
 * `License.IsEnterprise/IsProfessional`).
 */
export type VersionMode = '20.0.8' | '20.0.9' | '20.0.10';

/** True when `version` is `min` or later (`20.0.10` is after `20.0.9`). */
export function versionAtLeast(version: VersionMode, min: VersionMode): boolean {
  const patch = (v: VersionMode) => Number(v.split('.')[2]);
  return patch(version) >= patch(min);
}

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
  /** DNs the Owner client monitors. Default 100–104 and 046 (105 stays unmonitored). */
  ownerMonitors?: string[];
  /** Extensions whose calls are recorded (XAPI `Recordings`); default every extension. */
  recordExtensions?: string[] | null;
  /** 3CX's AI transcription, summary and sentiment on each recording. Default true. */
  transcribeRecordings?: boolean;
  /**
   * Folder the mailboxes' audio is written to, as `<dir>/<mailbox>/<wav_file>` (the layout of
   * 3CX's `Data/Voicemail` folder is [UNVERIFIED]); null (default) writes no files.
   */
  voicemailDir?: string | null;
  /** 3CX's voicemail transcription in `s_voicemail.transcription`. Default true. */
  transcribeVoicemails?: boolean;
  /**
   * The database has `s_voicemail` (default true). It is documented from 20.0.9 on ([FIELD]
   * field review §1.13); whether older builds lack it is [UNVERIFIED], so this is a knob, not
   * tied to `version`. Without it, messages are recorded but no row is written.
   */
  voicemailTable?: boolean;
  /** `DownloadRecording` honours `Range` requests (206); [UNVERIFIED] on real 3CX. Default true. */
  recordingRangeRequests?: boolean;
  /** Extensions on the PBX: 100–105 and 046, and from 8 on also 1000, 1001, … (benchmarks). Default 7. */
  extensionCount?: number;
  /**
   * Presence that changes over time: every this many simulated seconds one random user changes
   * profile, queue login or registration. 0 (default) = only through `/__sim/users`; demo mode 45.
   */
  presenceChangeEverySec?: number;
  /**
   * The Owner client also monitors IVR 600 and queue 800: their legs (the caller's leg,
   * `Connected` while they play prompts or music, even while agents ring) appear in Call Control
   * ([FIELD] §1.3). Default false.
   */
  monitorQueueIvr?: boolean;
  /**
   * A GET of one participant (`/callcontrol/{dn}/participants/{id}`) answers 403 unless the leg
   * is on a route point or `direct_control`; the list still answers ([FIELD] route-point view,
   * pocket-dial #40). Default false.
   */
  participantGetForbidden?: boolean;
  /**
   * Extensions with no registered device: no devices, and their participants carry no
   * `device_id` ([OFFICIAL] call-control-examples `not_registered_dev`). Default none.
   */
  unregisteredExtensions?: string[];
  /**
   * Issuing a token closes the client's WebSockets opened with its previous token (close 1008)
   * ([FIELD], thin: pocket-dial #336/#343). Default false: open sockets stay.
   */
  newTokenClosesSockets?: boolean;
  /**
   * Largest `$top` an XAPI collection accepts; more answers 400 with the ASP.NET OData message
   * ([FIELD], 20.0.9). Null: no limit (older builds). Default 100.
   */
  maxTop?: number | null;
  /**
   * Server-driven paging: an XAPI collection answer holds at most this many rows, whatever
   * `$top` asked for. Null (default): answers hold every row `$top` allows.
   */
  serverPageSize?: number | null;
  /**
   * With {@link serverPageSize}: a cut-short answer carries `@odata.nextLink` (default true);
   * false serves the "shortened collection without a usable continuation link" seen in the
   * field, where only `$count=true` shows that rows are missing.
   */
  serverPageNextLink?: boolean;
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
  version: z.enum(['20.0.8', '20.0.9', '20.0.10']).default('20.0.8'),
  seed: z.number().int().default(1),
  timeScale: z.number().positive().default(1),
  scenario: z.string().optional(),
  loadRate: z.number().nonnegative().optional(),
  demo: z.boolean().default(false),
  duplicateUpsertProbability: z.number().min(0).max(1).default(0.3),
  fillPartyDid: z.boolean().default(false),
  tokenLifetimeSec: z.number().int().positive().default(3600),
  ownerMonitors: z.array(z.string()).default(['100', '101', '102', '103', '104', '046']),
  recordExtensions: z.array(z.string()).nullable().default(null),
  transcribeRecordings: z.boolean().default(true),
  recordingRangeRequests: z.boolean().default(true),
  voicemailDir: z.string().min(1).nullable().default(null),
  transcribeVoicemails: z.boolean().default(true),
  voicemailTable: z.boolean().default(true),
  extensionCount: z.number().int().min(7).max(5000).default(7),
  presenceChangeEverySec: z.number().min(0).optional(),
  monitorQueueIvr: z.boolean().default(false),
  participantGetForbidden: z.boolean().default(false),
  unregisteredExtensions: z.array(z.string()).default([]),
  newTokenClosesSockets: z.boolean().default(false),
  maxTop: z.number().int().positive().nullable().default(100),
  serverPageSize: z.number().int().positive().nullable().default(null),
  serverPageNextLink: z.boolean().default(true),
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
