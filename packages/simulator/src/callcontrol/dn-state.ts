import type { ApiClient } from '../auth/token-store.js';
import type { DnEntry } from '../pbx/directory.js';
import type { Device, Participant } from '../pbx/participant.js';
import type { SimContext } from '../sim-context.js';

/** A Call Control DN state object ([OFFICIAL S3] example body). */
export interface DnState {
  dn: string;
  type: string;
  devices: Device[];
  participants: Participant[];
}

/** The DNs a client sees: its route point, then its monitored extensions. */
export function visibleDns(ctx: SimContext, client: ApiClient): DnEntry[] {
  return ctx.dir.findAll([client.routePoint, ...client.monitored]);
}

export function dnState(ctx: SimContext, dn: DnEntry): DnState {
  return {
    dn: dn.number,
    type: dn.type,
    devices: ctx.state.devicesOf(dn.number),
    participants: ctx.state.participantsOf(dn.number),
  };
}
