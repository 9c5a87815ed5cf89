import { setMaxListeners } from 'node:events';
import type { FlowEnv, FlowResult } from '../call-flows/flow-kit.js';
import { CdrIdGenerator } from '../cdr/cdr-id.js';
import type { FinishedCall, HistoryStore } from '../cdr/history-store.js';
import { voicemailText, writeVoicemailAudio } from '../cdr/voicemail-audio.js';
import type { ResolvedOptions } from '../options.js';
import { SCENARIOS } from '../scenarios/registry.js';
import { FlowAborted } from '../util/clock.js';
import { Rng } from '../util/rng.js';
import type { Call, CallContext } from './call.js';
import type { PbxDirectory } from './directory.js';
import type { PbxState } from './pbx-state.js';

/** What {@link PbxRuntime.runScenario} resolves with. */
export interface ScenarioSummary extends Partial<FlowResult> {
  scenario: string;
  /** True once the flow's CDR rows are committed to the database. */
  cdrsWritten: boolean;
  /** True when a PBX restart or stop cut the flow short (no CDRs then). */
  aborted: boolean;
}

/** Options of one scenario run. */
export interface ScenarioOptions {
  /** Real ms per simulated ms for this call only (e.g. slower, for a person to watch it). */
  timeScale?: number;
}

/**
 * Runs call flows for one "PBX process": a restart aborts every flow, wipes live state and
 * resets the CDR counter to 1, like a restarted 3CX call manager.
 */
export class PbxRuntime {
  readonly ids = new CdrIdGenerator();
  readonly rng: Rng;
  private generation = newGeneration();
  private readonly running = new Set<Promise<unknown>>();
  private readonly written = new Map<number, boolean>();

  constructor(
    private readonly opts: ResolvedOptions,
    private readonly dir: PbxDirectory,
    readonly state: PbxState,
    private readonly history: HistoryStore,
    private readonly persist: (call: FinishedCall) => Promise<boolean>,
  ) {
    this.rng = new Rng(opts.seed);
  }

  /** The environment flows run in for the current generation (`timeScale` overrides the option's). */
  env(o: ScenarioOptions = {}): FlowEnv {
    const ctx: CallContext = {
      state: this.state,
      ids: this.ids,
      rng: this.rng,
      timeScale: o.timeScale ?? this.opts.timeScale,
      signal: this.generation.signal,
      fillPartyDid: this.opts.fillPartyDid,
      waitForReadersMs: this.opts.waitForReaders ? this.opts.waitForReadersMaxMs : 0,
      onFinished: (call) => this.finished(call),
    };
    return { ctx, dir: this.dir };
  }

  private async finished(call: Call): Promise<void> {
    const voicemails = call.voicemails.map((v, i) => ({
      ...v,
      transcription: this.opts.transcribeVoicemails ? voicemailText(call.callid + i) : null,
    }));
    if (this.opts.voicemailDir)
      await writeVoicemailAudio(this.opts.voicemailDir, voicemails).catch((err: Error) =>
        this.opts.log?.('voicemail audio not written', { err: err.message }),
      );
    const finished = this.history.add(call.callid, call.cdr.rows, voicemails);
    this.written.set(call.callid, await this.persist(finished));
  }

  /** Tracks a background flow; errors other than aborts go to the log. */
  spawn(flow: Promise<unknown>): void {
    const p = flow.catch((err: unknown) => {
      if (!(err instanceof FlowAborted)) this.opts.log?.('call flow failed', { err: (err as Error).message });
    });
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
  }

  /** Runs a named scenario to its end (CDRs written or backlogged). */
  async runScenario(name: string, o: ScenarioOptions = {}): Promise<ScenarioSummary> {
    const scenario = SCENARIOS[name];
    if (!scenario) throw new Error(`unknown scenario "${name}"; known: ${Object.keys(SCENARIOS).join(', ')}`);
    const flow = scenario(this.env(o));
    this.spawn(flow);
    try {
      const result = await flow;
      return {
        scenario: name,
        ...result,
        cdrsWritten: this.written.get(result.callid) ?? false,
        aborted: false,
      };
    } catch (err) {
      if (err instanceof FlowAborted) return { scenario: name, cdrsWritten: false, aborted: true };
      throw err;
    }
  }

  /** Simulated restart: flows aborted, live calls gone, CDR counter back to 1. */
  restart(reason = 'PBX restart'): void {
    this.generation.abort(reason);
    this.generation = newGeneration();
    this.state.wipe();
    this.ids.reset();
  }

  /** Aborts everything and waits for the flows to unwind. */
  async stop(): Promise<void> {
    this.generation.abort('simulator stopped');
    await Promise.allSettled([...this.running]);
  }

  get activeFlows(): number {
    return this.running.size;
  }
}

/**
 * One generation of flows. Every call waiting for its next step listens on the generation's
 * signal (`Call.wait`, removed when it wakes), so a busy PBX has hundreds of listeners at once:
 * not a leak, and no cause for Node's warning at the 11th.
 */
function newGeneration(): AbortController {
  const generation = new AbortController();
  setMaxListeners(0, generation.signal);
  return generation;
}
