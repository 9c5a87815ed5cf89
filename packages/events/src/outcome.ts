import { z } from 'zod';
import type { Outcome } from './common.js';

/**
 * How a call ended, in the relay's one outcome model (live and CDR half alike). A call that
 * fits several takes the first in {@link DISPOSITION_PRECEDENCE}:
 * - `voicemail`: the call ended in a mailbox that picked up (the caller could leave a message);
 * - `busy`: the call ended at a busy line (3CX `termination_reason_details` `busy`);
 * - `answered`: a person answered (an extension, or on an outbound call the outside party);
 *   queue, IVR, route-point and mailbox pick-ups do not count;
 * - `abandoned`: nobody answered and the call had reached a queue: the caller gave up waiting;
 * - `missed`: nobody answered and at least one extension or ring group rang;
 * - `rejected`: nothing rang (declined, unreachable, or the caller hung up in an IVR).
 */
export const dispositionSchema = z.enum(['voicemail', 'busy', 'answered', 'abandoned', 'missed', 'rejected']);
export type Disposition = z.infer<typeof dispositionSchema>;

/**
 * The order in which a call's dispositions win: where the call ended counts first (a mailbox,
 * a busy line), then whether a person answered, then how far an unanswered call got. The field
 * tools' order (voicemail > busy > answered > missed) extended with `abandoned` and `rejected`.
 */
export const DISPOSITION_PRECEDENCE: readonly Disposition[] = dispositionSchema.options;

/** The first disposition, by precedence, that holds for a call. */
export function pickDisposition(holds: Partial<Record<Disposition, boolean>>): Disposition {
  return DISPOSITION_PRECEDENCE.find((d) => holds[d]) ?? 'rejected';
}

/**
 * The schema-version-1 `outcome` of a disposition (four values, unchanged since the first
 * release): a call that ended in a mailbox was not answered by a person and rang someone
 * (`missed`); a busy line rang nobody (`rejected`).
 */
export function outcomeOf(d: Disposition): Outcome {
  return d === 'voicemail' ? 'missed' : d === 'busy' ? 'rejected' : d;
}
