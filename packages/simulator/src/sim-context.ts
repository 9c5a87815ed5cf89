import type { ApiClient, TokenStore } from './auth/token-store.js';
import type { FlowEnv } from './call-flows/flow-kit.js';
import type { HistoryStore } from './cdr/history-store.js';
import type { FaultController } from './faults/fault-controller.js';
import type { ResolvedOptions } from './options.js';
import type { PbxDirectory } from './pbx/directory.js';
import type { PbxState } from './pbx/pbx-state.js';
import type { UserStore } from './pbx/users.js';

/** Everything the HTTP, WebSocket and control surfaces share. */
export interface SimContext {
  opts: ResolvedOptions;
  dir: PbxDirectory;
  state: PbxState;
  /** Users (presence, queue login, registration) and queues with their agents. */
  users: UserStore;
  tokens: TokenStore;
  clients: ApiClient[];
  history: HistoryStore;
  faults: FaultController;
  /** Running counts for tests and `GET /__sim/state` (since start). */
  counters: {
    participantGets: number;
    /** PBX requests served since start, by surface (`xapi:Users`, `callcontrol`, `/connect/token`). */
    requests: Record<string, number>;
  };
  /** `http://127.0.0.1:<port>` once listening. */
  baseUrl: string;
  /** The environment call flows run in (changes on PBX restart). */
  flowEnv(): FlowEnv;
  /** Runs a call flow in the background, tracked so `stop()` can wait for it. */
  spawn(flow: Promise<unknown>): void;
}
