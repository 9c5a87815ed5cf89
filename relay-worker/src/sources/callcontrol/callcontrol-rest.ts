import { PbxError } from '../pbx-error.js';
import type { PbxHttp } from '../xapi/pbx-http.js';
import { dnStateSchema, normalizeParticipant, type Participant } from './normalize-participant.js';

/** A `GET /callcontrol` snapshot, normalized. `skipped` counts participant objects that did not parse. */
export interface CallControlSnapshot {
  dnTypes: Array<[dn: string, type: string]>;
  participants: Participant[];
  skipped: number;
  latencyMs: number;
}

/** Call Control REST reads: the full snapshot and single participants. */
export class CallControlRest {
  constructor(private readonly http: PbxHttp) {}

  /** `GET /callcontrol`: every DN the client may see with its participants. */
  async snapshot(): Promise<CallControlSnapshot> {
    const res = await this.http.getJson<unknown>('/callcontrol');
    if (!Array.isArray(res.body))
      throw new PbxError('MALFORMED', '/callcontrol answered without an array', res.status);
    const out: CallControlSnapshot = { dnTypes: [], participants: [], skipped: 0, latencyMs: res.latencyMs };
    for (const raw of res.body) {
      const dn = dnStateSchema.safeParse(raw);
      if (!dn.success) {
        out.skipped++;
        continue;
      }
      if (dn.data.type) out.dnTypes.push([dn.data.dn, dn.data.type]);
      for (const p of dn.data.participants ?? []) {
        const n = normalizeParticipant(p);
        if (n) out.participants.push(n);
        else out.skipped++;
      }
    }
    return out;
  }

  /**
   * `GET {entity}` of an Upsert. Null when the participant is already gone (404: the Remove
   * raced the GET, which is normal); throws MALFORMED when the body is not a participant.
   */
  async participant(entity: string): Promise<Participant | null> {
    try {
      const res = await this.http.getJson<unknown>(entity);
      const p = normalizeParticipant(res.body);
      if (!p)
        throw new PbxError(
          'MALFORMED',
          `${entity} answered with something that is not a participant`,
          res.status,
        );
      return p;
    } catch (err) {
      if (err instanceof PbxError && err.kind === 'NOT_FOUND') return null;
      throw err;
    }
  }
}
