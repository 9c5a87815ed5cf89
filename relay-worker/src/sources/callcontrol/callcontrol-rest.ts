import { PbxError } from '../pbx-error.js';
import type { PbxHttp } from '../xapi/pbx-http.js';
import { dnStateSchema, normalizeParticipant, type Participant } from './normalize-participant.js';
import { parseParticipantEntity } from './ws-frame.js';

/** A `GET /callcontrol` snapshot, normalized. `skipped` counts participant objects that did not parse. */
export interface CallControlSnapshot {
  dnTypes: Array<[dn: string, type: string]>;
  participants: Participant[];
  skipped: number;
  latencyMs: number;
}

/** Call Control REST reads: the full snapshot and single participants. */
export class CallControlRest {
  /**
   * DNs whose single-participant GET answered 403 (a leg the client's DN cannot control, seen
   * from route-point clients): their participants are read from the DN's list from then on.
   */
  private readonly listOnly = new Set<string>();

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
   * raced the GET, which is normal); throws MALFORMED when the body is not a participant. When
   * 3CX refuses the single GET (403 for a leg the DN cannot directly control, while the list
   * answers), the participant is taken from `GET /callcontrol/{dn}/participants` instead, for
   * that DN from then on: quietly, since nothing is wrong.
   */
  async participant(entity: string): Promise<Participant | null> {
    const target = parseParticipantEntity(entity);
    if (target && this.listOnly.has(target.dn)) return this.fromList(target);
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
      if (target && err instanceof PbxError && err.kind === 'FORBIDDEN') {
        const p = await this.fromList(target);
        this.listOnly.add(target.dn); // the list answered: the refusal was about this leg only
        return p;
      }
      throw err;
    }
  }

  /** DNs read through their participant list (tests, stats). */
  get listOnlyDns(): string[] {
    return [...this.listOnly];
  }

  private async fromList(target: { dn: string; id: number }): Promise<Participant | null> {
    const path = `/callcontrol/${encodeURIComponent(target.dn)}/participants`;
    const res = await this.http.getJson<unknown>(path);
    if (!Array.isArray(res.body))
      throw new PbxError('MALFORMED', `${path} answered without an array`, res.status);
    for (const raw of res.body) {
      const p = normalizeParticipant(raw);
      if (p?.id === target.id) return p;
    }
    return null;
  }
}
