import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { parseSchedule } from './delivery/retry-policy.js';
import { isDidCountry } from './sources/normalize-did.js';

/**
 * The worker's only way in for configuration. Reads the environment, plus an optional
 * `KEY=value` file named by RELAY_CONFIG_FILE (install.sh writes `/opt/3cx-relay/config/worker.env`);
 * the environment wins over the file. Validated once at boot; every bad setting is reported
 * on one line of its own, naming the variable.
 */

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));
const ms = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);
const optionalString = z
  .string()
  .transform((s) => s.trim())
  .pipe(z.string())
  .optional()
  .transform((s) => (s ? s : undefined));

/** `10007=+4930123456,10008=+4989000` → { '10007': '+4930123456', ... } */
const trunkDidMap = z
  .string()
  .default('')
  .transform((s, ctx) => {
    const out: Record<string, string> = {};
    for (const pair of s
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const [trunk, did] = pair.split('=').map((x) => x?.trim());
      if (!trunk || !did) {
        ctx.addIssue({
          code: 'custom',
          message: `expected trunk=DID pairs separated by commas, got "${pair}"`,
        });
        return z.NEVER;
      }
      out[trunk] = did;
    }
    return out;
  });

const encryptionKey = z
  .string()
  .optional()
  .transform((s, ctx) => {
    if (!s) return undefined;
    const buf = /^[0-9a-fA-F]{64}$/.test(s) ? Buffer.from(s, 'hex') : Buffer.from(s, 'base64');
    if (buf.length !== 32) {
      ctx.addIssue({ code: 'custom', message: 'must be 32 bytes, as 64 hex characters or base64' });
      return z.NEVER;
    }
    return buf;
  });

/** `5s,5m,2h` → [5000, 300000, 7200000] (see delivery/retry-policy.ts). */
const durationList = (def: string) =>
  z
    .string()
    .default(def)
    .transform((s, ctx) => {
      try {
        return parseSchedule(s);
      } catch (err) {
        ctx.addIssue({
          code: 'custom',
          message: `expected durations like 5s,5m,2h: ${(err as Error).message}`,
        });
        return z.NEVER;
      }
    });

const postgresUrl = z.string().refine((s) => /^postgres(ql)?:\/\//.test(s), 'must be a postgresql:// URL');

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  DATABASE_URL: postgresUrl,
  RELAY_HOST: z.string().default('127.0.0.1'),
  RELAY_PORT: z.coerce.number().int().min(0).max(65535).default(8082),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Also write JSON logs to this file (rotated daily, 14 kept). */
  LOG_FILE: optionalString,
  RELAY_INSTANCE_ID: optionalString,

  /** 3CX web-client base URL, e.g. https://pbx.example.com or http://127.0.0.1:5004 on the PBX. */
  PBX_URL: z.url({ protocol: /^https?$/ }).optional(),
  PBX_CLIENT_ID: optionalString,
  PBX_CLIENT_SECRET: optionalString,
  /** Explicit 3CXPhoneSystem.ini; default tries /var/lib/3cxpbx/Bin/ then /var/lib/3cxpbx/Instance1/Bin/. */
  PBX_INI_PATH: optionalString,
  /** Explicit read-only connection to 3CX's database; overrides the ini. */
  PBX_DB_URL: postgresUrl.optional(),
  /**
   * When the ini has no `[DbAdminREADONLY]` login, use its master account (`MasterDBUser`, with
   * read-only sessions). Off by default: the master password is then never read.
   */
  PBX_DB_MASTER_FALLBACK: bool.default(false),
  PBX_DB_HOST: z.string().default('127.0.0.1'),
  PBX_DB_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  PBX_CDR_TABLE: z
    .string()
    .regex(
      /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/,
      'must be a plain table name like cdroutput or public.cdroutput',
    )
    .default('cdroutput'),
  /** Dialled number per trunk DN, for inbound calls whose party_did is empty (a V20 quirk). */
  PBX_TRUNK_DIDS: trunkDidMap,
  /**
   * ISO 3166-1 country of the PBX's DIDs (`CH`, `DE`): DIDs are then also given in E.164
   * (`did`, and the `dids` filter field beside the raw form), whatever form the trunk delivers.
   */
  PBX_DID_COUNTRY: z
    .string()
    .trim()
    .toUpperCase()
    .refine(isDidCountry, 'must be an ISO 3166-1 country code like CH or DE')
    .optional(),
  /** Treat a TLS certificate the PBX presents as valid even if self-signed (on-box loopback only). */
  PBX_TLS_INSECURE: bool.default(false),

  SOURCE_DB_ENABLED: bool.default(true),
  SOURCE_XAPI_ENABLED: bool.default(true),
  SOURCE_CALLCONTROL_ENABLED: bool.default(true),
  /**
   * Where `/relay/call-history` reads: `auto` = XAPI `CallHistoryView` when the XAPI source is
   * enabled, else 3CX's `cdroutput` table when the database source is enabled; `xapi` or
   * `cdroutput` force one (503 when it is not configured). PRO licences have no XAPI: cdroutput.
   */
  CALL_HISTORY_SOURCE: z.enum(['auto', 'xapi', 'cdroutput']).default('auto'),

  CDR_POLL_INTERVAL_MS: ms(1000, 1000),
  PBX_DB_STATEMENT_TIMEOUT_MS: ms(10_000, 100),
  CALLCONTROL_PING_INTERVAL_MS: ms(5000, 100),
  CALLCONTROL_RECONCILE_INTERVAL_MS: ms(45_000, 100),
  RECONNECT_BASE_MS: ms(1000, 10),
  RECONNECT_MAX_MS: ms(120_000, 100),
  XAPI_HEALTH_INTERVAL_MS: ms(30_000, 100),
  /** An XAPI probe slower than this marks XAPI `degraded`. */
  XAPI_DEGRADED_LATENCY_MS: ms(2000, 1),
  /** Re-read window below the CDR cursor for late commits and ties. */
  CDR_OVERLAP_MS: ms(5000, 0),
  /** A call flow gets its call.completed once complete and unchanged for this long. */
  CDR_FLOW_QUIET_MS: ms(3000, 0),
  /** A flow with rows missing (purged by 3CX) whose call is over gets call.completed `partial: true` after this. */
  CDR_PARTIAL_FLOW_WAIT_MS: ms(60_000, 0),
  /** A call with no visible participant ends after this grace (queue waves, ring-group refills). */
  CALLCONTROL_END_GRACE_MS: ms(2500, 0),
  /**
   * Agent and queue state from XAPI (`agent.status_changed`, `queue.stats`, the wallboard):
   * needs the XAPI source. Users are read every AGENT_STATE_POLL_MS (pages of 100), queue
   * membership every AGENT_QUEUES_POLL_MS; a PBX with so many users that this would exceed
   * AGENT_STATE_MAX_XAPI_PER_MINUTE requests is read less often.
   */
  AGENT_STATE_ENABLED: bool.default(true),
  AGENT_STATE_POLL_MS: ms(5000, 500),
  AGENT_QUEUES_POLL_MS: ms(60_000, 1000),
  AGENT_STATE_MAX_XAPI_PER_MINUTE: z.coerce.number().int().min(1).default(60),
  /** Profile names (`Users.CurrentProfileName`) that mean "do not disturb", comma-separated. */
  AGENT_DND_PROFILES: z
    .string()
    .default('Out of office')
    .transform((s) =>
      s
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean),
    ),
  /** agent_state_history rows older than this are pruned (hourly). */
  AGENT_HISTORY_RETENTION_DAYS: z.coerce.number().min(1).default(90),
  /** Time zone of "today" in queue figures (answered/abandoned today); default the system's. */
  QUEUE_STATS_TIME_ZONE: z
    .string()
    .default(() => Intl.DateTimeFormat().resolvedOptions().timeZone)
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone such as Europe/Berlin or UTC'),
  /**
   * `call.recording_ready`: new recordings read from XAPI `Recordings` every RECORDING_POLL_MS
   * (needs the XAPI source and the System Owner role); each waits up to RECORDING_MATCH_WAIT_MS
   * for its call's call.completed, so the event names the call.
   */
  RECORDINGS_ENABLED: bool.default(true),
  RECORDING_POLL_MS: ms(10_000, 500),
  RECORDING_MATCH_WAIT_MS: ms(30_000, 0),
  /**
   * Public origin of the relay (scheme, host, port), e.g. https://pbx.example.com: recording and
   * voicemail links in events are absolute with it, paths (`/relay/recordings/12`) without.
   */
  RELAY_PUBLIC_URL: z
    .url({ protocol: /^https?$/ })
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
  /**
   * `voicemail.received` from 3CX's `s_voicemail` (needs the database source): read when a CDR
   * row lands in a mailbox, at start and every VOICEMAIL_POLL_MS (0: never on a timer). Each
   * message waits up to VOICEMAIL_MATCH_WAIT_MS for its call's call.completed in the relay's log.
   */
  VOICEMAIL_ENABLED: bool.default(true),
  VOICEMAIL_POLL_MS: ms(0, 0),
  VOICEMAIL_MATCH_WAIT_MS: ms(15_000, 0),
  /** Where 3CX keeps voicemail files (the relay reads `<dir>/<mailbox>/<wav_file>` or `<dir>/<wav_file>`). */
  PBX_VOICEMAIL_DIR: z.string().default('/var/lib/3cxpbx/Instance1/Data/Voicemail'),
  /** How long the signed recording and voicemail links in events work (0: no signed links). */
  MEDIA_LINK_TTL_HOURS: z.coerce
    .number()
    .min(0)
    .max(24 * 30)
    .default(24),
  /** worker_heartbeats refresh period. */
  WORKER_HEARTBEAT_MS: ms(5000, 100),
  STATUS_HEARTBEAT_MS: ms(60_000, 100),

  /** AES-256-GCM key for webhook signing secrets at rest. */
  RELAY_ENCRYPTION_KEY: encryptionKey,

  /** Gaps between webhook attempts, e.g. `5s,5m,30m,2h,5h,10h,10h` (8 attempts); units ms|s|m|h|d. */
  DELIVERY_RETRY_SCHEDULE: durationList('5s,5m,30m,2h,5h,10h,10h'),
  /** Relative jitter on each retry gap (0.2 = ±20 %). */
  DELIVERY_RETRY_JITTER: z.coerce.number().min(0).max(1).default(0.2),
  /** Per-attempt timeout to response headers. */
  DELIVERY_TIMEOUT_MS: ms(15_000, 100),
  /** A subscription with only failures for this long is disabled (default 5 days). */
  DELIVERY_DISABLE_AFTER_MS: ms(5 * 86_400_000, 1),
  /** A subscription with only failures for this long gets a `subscription.failing` event (default 5 minutes). */
  DELIVERY_FAILING_AFTER_MS: ms(300_000, 1),
  DELIVERY_POLL_MS: ms(1000, 10),
  /**
   * Deliveries claimed or leased and not yet recorded, across subscriptions (each subscription's
   * own share is bounded by its concurrency and attempt time). 20,000 is ~2 s at 10,000/s: a
   * hiccup or burst that long stays on the fast path instead of spilling onto the claim loop,
   * which costs PostgreSQL several times as much per row (so a spill made the backlog grow
   * faster). A full in-flight set takes roughly 80 MB of heap (delivery benchmark).
   */
  DELIVERY_MAX_IN_FLIGHT: z.coerce.number().int().min(1).default(20_000),
  /** Claim lease; must exceed DELIVERY_TIMEOUT_MS plus queueing. */
  DELIVERY_LEASE_MS: ms(120_000, 1000),
  /** Events (and their deliveries) older than this are pruned; also bounds recover and WS resume. */
  EVENT_RETENTION_DAYS: z.coerce.number().min(0.001).default(30),
  /** Admin audit log entries older than this are pruned (hourly, with expired sign-in counters and sessions). */
  AUDIT_RETENTION_DAYS: z.coerce.number().min(1).default(365),
  WS_PING_INTERVAL_MS: ms(25_000, 50),
  /** A WebSocket client with more than this buffered is cut off with close code 4008. */
  WS_MAX_BUFFERED_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  /** Open WebSocket connections one API key may hold; more are refused with 429. */
  WS_MAX_CONNECTIONS_PER_KEY: z.coerce.number().int().min(1).default(100),
  /** How long a verified API key stays trusted without a new bcrypt check. */
  API_KEY_CACHE_MS: ms(60_000, 0),
  /** Safety net behind the admin's `reload-keys` NOTIFY: every cached key is re-checked this often. */
  API_KEY_REVALIDATE_MS: ms(30_000, 100),
  /** Default per-key rate limit (a key's own rate_limit_per_minute wins). */
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  /** Usage counters and last_used_at are written in batches this often. */
  API_USAGE_FLUSH_MS: ms(10_000, 50),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Turns zod issues into one readable line per variable. */
function describeIssues(error: z.ZodError, input: Record<string, unknown>): string[] {
  return error.issues.map((issue) => {
    const key = String(issue.path[0] ?? '(config)');
    const value = input[key];
    const secret = /SECRET|PASSWORD|KEY|DATABASE_URL|DB_URL/.test(key);
    const shown = value === undefined ? 'not set' : secret ? 'a value (hidden)' : JSON.stringify(value);
    const message = issue.code === 'invalid_type' && value === undefined ? 'is required' : issue.message;
    return `${key}: ${message} (got ${shown})`;
  });
}

/** Reads and validates the configuration; throws {@link ConfigError} listing every bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  let fromFile: Record<string, string> = {};
  const file = env.RELAY_CONFIG_FILE;
  if (file) {
    if (!existsSync(file))
      throw new ConfigError([`RELAY_CONFIG_FILE: file not found (got ${JSON.stringify(file)})`]);
    fromFile = parseEnv(readFileSync(file, 'utf8')) as Record<string, string>;
  }
  const input: Record<string, unknown> = { ...fromFile };
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') input[k] = v;
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error, input));
  return parsed.data;
}
