import type { MalformedKind } from '../callcontrol/ws-frames.js';
import type { DataConnectorSettings } from '../db/cdr-writer.js';
import type { MalformedResponseKind } from '../http/malformed-response.js';
import { Rng } from '../util/rng.js';

/** One `malformedResponses` rule: XAPI, Call Control REST and token answers under `pathPrefix`. */
export interface MalformedResponseRule {
  pathPrefix: string;
  kind: MalformedResponseKind;
  /** Chance (0..1) that a matching request gets the broken body; default 1. */
  probability?: number;
}

/** Persistent fault switches (all off by default). */
export interface FaultSettings {
  /** Upgrades to `/callcontrol/ws` get 503. */
  refuseWebSockets: boolean;
  /** Requests whose path starts with `pathPrefix` get `status` (500 → ODataError body, 503 → empty). */
  httpErrors: { pathPrefix: string; status: number }[];
  /** Extra latency for every request under `delayPathPrefix`. */
  delayMs: number;
  delayPathPrefix: string;
  /** Probability (0..1) that a WS event frame is silently not sent. */
  skipFrameProbability: number;
  /** Probability (0..1) that a WS event frame is sent one extra time (on top of the Upsert quirk). */
  duplicateFrameProbability: number;
  /** The database is unreachable (see README for how). */
  dbDown: boolean;
  /** Queries on `cdroutput` hang (a table lock is held) until cleared; see README. */
  dbStall: boolean;
  /** Matching PBX requests get 200 with a broken body (first matching rule wins). */
  malformedResponses: MalformedResponseRule[];
  /**
   * The PBX's licence. Anything but `enterprise` makes XAPI (except `SystemStatus`, which the
   * dashboard reads on every edition) and Call Control answer 403 with a licence message, and
   * shows in `SystemStatus`. The wording and the exact set of refused paths are [UNVERIFIED].
   */
  licence: Licence;
  /**
   * How a licence refusal reads: `named` (default) an ODataError whose message names the
   * licence; `bare` a 403 with an empty body (the wording is [UNVERIFIED], so a client must not
   * depend on it).
   */
  licenceRefusal: 'named' | 'bare';
  /**
   * 3CX's Console Restrictions (the IP allow-list of the Admin Console, which also applies to
   * API clients) do not list the caller: `/connect/token` answers 403 ([INFERRED] status).
   */
  consoleRestricted: boolean;
  /**
   * 3CX's Data Connector offloads the call history: each call's cdroutput rows get an
   * `offload_id` `afterMs` real ms after they were written and, with `purgeAfterSync`
   * (`DataConnectorSettings.PurgeAfterSync`), are deleted then ([OFFICIAL] field review §1.6).
   * Null: off.
   */
  dataConnector: DataConnectorSettings | null;
}

/** Paths a PRO or expired system still answers. */
const OPEN_ON_EVERY_LICENCE = ['/xapi/v1/SystemStatus', '/xapi/v1/Defs/Pbx.GetLicenseParameters()'];

const isApiPath = (p: string) =>
  p.startsWith('/xapi/') || p === '/callcontrol' || p.startsWith('/callcontrol/');

/** Licence states the simulator can be in. */
export type Licence = 'enterprise' | 'pro' | 'expired';

/** Switches plus one-shot actions, as `faults.set()` and `POST /__sim/faults` take them. */
export type FaultInput = Partial<FaultSettings> & {
  /** Drop every WebSocket now. */
  dropWebSockets?: boolean;
  /** Revoke the active token of one client id, or of all (`true`). */
  revokeTokens?: boolean | string;
  /** Make every active token invalid, as if it had expired. */
  expireTokens?: boolean;
  /** Send one broken frame on every WebSocket now. */
  malformedFrame?: MalformedKind;
  /** Send this many extra Upserts of live participants on every WebSocket now (each one costs the client a GET). */
  repeatUpserts?: number;
  /**
   * Send keypad frames for every live participant on every WebSocket now: one DTMFstring per
   * digit (0-9, *, #, A-D; at most 32), then a PromptPlaybackFinished when `promptFinished`.
   * Not a fault: 3CX sends these on route-point calls; a call-state client must ignore them.
   */
  keypad?: { digits: string; promptFinished?: boolean };
};

/** What the controller calls to act on the simulator. */
export interface FaultHooks {
  dropWebSockets(): void;
  revokeTokens(clientId?: string): void;
  sendMalformed(kind: MalformedKind): void;
  repeatUpserts(count: number): number;
  sendKeypad(digits: string, promptFinished: boolean): number;
  setDbDown(down: boolean): Promise<void>;
  setDbStall(stalled: boolean): Promise<void>;
}

const defaults = (): FaultSettings => ({
  refuseWebSockets: false,
  httpErrors: [],
  delayMs: 0,
  delayPathPrefix: '/',
  skipFrameProbability: 0,
  duplicateFrameProbability: 0,
  dbDown: false,
  dbStall: false,
  malformedResponses: [],
  licence: 'enterprise',
  licenceRefusal: 'named',
  consoleRestricted: false,
  dataConnector: null,
});

/** Holds the fault switches and runs fault actions; driven programmatically or over `/__sim/`. */
export class FaultController {
  settings: FaultSettings = defaults();
  /** Broken bodies served so far, per kind (since start; `clear()` keeps them). */
  readonly malformedServed: Partial<Record<MalformedResponseKind, number>> = {};
  /** Requests answered with an `httpErrors` status so far, per matching `pathPrefix` (since start). */
  readonly httpErrorsServed: Record<string, number> = {};
  /** Frames sent by `repeatUpserts` so far (since start). */
  upsertsRepeated = 0;
  /** DTMFstring and PromptPlaybackFinished frames sent by `keypad` so far (since start). */
  keypadFramesSent = 0;
  private hooks: FaultHooks | undefined;
  private readonly rng: Rng;

  constructor(seed = 1) {
    this.rng = new Rng(seed ^ 0xbad5);
  }

  attach(hooks: FaultHooks): void {
    this.hooks = hooks;
  }

  /** Applies switches and runs actions. Resolves once a database change has taken effect. */
  async set(input: FaultInput): Promise<FaultSettings> {
    const {
      dropWebSockets,
      revokeTokens,
      expireTokens,
      malformedFrame,
      repeatUpserts,
      keypad,
      dbDown,
      dbStall,
      ...switches
    } = input;
    this.settings = { ...this.settings, ...switches };
    if (dropWebSockets) this.hooks?.dropWebSockets();
    if (revokeTokens) this.hooks?.revokeTokens(typeof revokeTokens === 'string' ? revokeTokens : undefined);
    if (expireTokens) this.hooks?.revokeTokens();
    if (malformedFrame) this.hooks?.sendMalformed(malformedFrame);
    if (keypad)
      this.keypadFramesSent +=
        this.hooks?.sendKeypad(String(keypad.digits ?? ''), keypad.promptFinished === true) ?? 0;
    if (repeatUpserts) this.upsertsRepeated += this.hooks?.repeatUpserts(repeatUpserts) ?? 0;
    if (dbDown !== undefined && dbDown !== this.settings.dbDown) {
      await this.hooks?.setDbDown(dbDown);
      this.settings.dbDown = dbDown;
    }
    if (dbStall !== undefined && dbStall !== this.settings.dbStall) {
      await this.hooks?.setDbStall(dbStall);
      this.settings.dbStall = dbStall;
    }
    return this.settings;
  }

  /** Turns every switch off (brings the database back if it was down or stalled). */
  async clear(): Promise<FaultSettings> {
    const { dbDown: wasDown, dbStall: wasStalled } = this.settings;
    this.settings = defaults();
    if (wasStalled) await this.hooks?.setDbStall(false);
    if (wasDown) await this.hooks?.setDbDown(false);
    return this.settings;
  }

  /** The HTTP status to answer with for `pathname`, if any fault says so. */
  httpErrorFor(pathname: string): number | undefined {
    const rule = this.settings.httpErrors.find((e) => pathname.startsWith(e.pathPrefix));
    if (rule) this.httpErrorsServed[rule.pathPrefix] = (this.httpErrorsServed[rule.pathPrefix] ?? 0) + 1;
    return rule?.status;
  }

  /** The broken body to answer `pathname` with, if a `malformedResponses` rule matches (and its dice say so). */
  malformedResponseFor(pathname: string): MalformedResponseKind | undefined {
    const rule = this.settings.malformedResponses.find((r) => pathname.startsWith(r.pathPrefix));
    if (!rule || (rule.probability !== undefined && !this.rng.chance(rule.probability))) return undefined;
    this.malformedServed[rule.kind] = (this.malformedServed[rule.kind] ?? 0) + 1;
    return rule.kind;
  }

  /**
   * The 403 message for `pathname` when the licence does not cover it, else undefined (an
   * empty string with `licenceRefusal: 'bare'`). `SystemStatus` and the licence parameters stay
   * open: the console reads them on every edition ([INFERRED]).
   */
  licenceRefusal(pathname: string): string | undefined {
    const { licence } = this.settings;
    if (licence === 'enterprise' || OPEN_ON_EVERY_LICENCE.includes(pathname)) return undefined;
    if (this.settings.licenceRefusal === 'bare' && isApiPath(pathname)) return '';
    if (
      !pathname.startsWith('/xapi/') &&
      pathname !== '/callcontrol' &&
      !pathname.startsWith('/callcontrol/')
    )
      return undefined;
    return licence === 'expired'
      ? 'The license of this PBX has expired.'
      : 'This feature requires a 3CX Enterprise license.';
  }

  /** Delay in ms for `pathname`. */
  delayFor(pathname: string): number {
    return pathname.startsWith(this.settings.delayPathPrefix) ? this.settings.delayMs : 0;
  }
}
