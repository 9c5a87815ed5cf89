import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { authenticate, canSee } from '../auth/bearer.js';
import type { ApiClient } from '../auth/token-store.js';
import type { ParticipantEvent } from '../pbx/pbx-state.js';
import type { SimContext } from '../sim-context.js';
import { Rng } from '../util/rng.js';
import { callControl, markRead } from './callcontrol-api.js';
import { malformedFrame, parseWsRequest, type MalformedKind, type WsFrame } from './ws-frames.js';

interface Conn {
  ws: WebSocket;
  client: ApiClient;
  sequence: number;
}

/**
 * `/callcontrol/ws`: Bearer header on the upgrade, pushes Upsert/Remove for the client's
 * route point and monitored extensions only, answers `{RequestID, Path, RequestData}` with
 * event_type 4. Upserts are sometimes sent twice ([FIELD S6]), decided once per event with
 * the seeded RNG so every connection sees the same duplicates.
 */
export class CallControlWs {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  private readonly conns = new Set<Conn>();
  private readonly quirkRng: Rng;
  private readonly faultRng: Rng;
  private readonly onEvent = (e: ParticipantEvent) => this.broadcast(e);

  constructor(private readonly ctx: SimContext) {
    this.quirkRng = new Rng(ctx.opts.seed ^ 0x5eed);
    this.faultRng = new Rng(ctx.opts.seed ^ 0xfa17);
    ctx.state.on('participant', this.onEvent);
    ctx.state.watched = (dn) => {
      for (const c of this.conns) if (c.ws.readyState === c.ws.OPEN && canSee(c.client, dn)) return true;
      return false;
    };
  }

  /** Handles an HTTP upgrade for `/callcontrol/ws`. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const reject = (status: string, headers = '') => {
      socket.end(`HTTP/1.1 ${status}\r\n${headers}Content-Length: 0\r\nConnection: close\r\n\r\n`);
    };
    if (this.ctx.faults.settings.refuseWebSockets) return reject('503 Service Unavailable');
    const client = authenticate(req, this.ctx.tokens);
    if (!client) return reject('401 Unauthorized', 'WWW-Authenticate: Bearer\r\n');
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, client));
  }

  private accept(ws: WebSocket, client: ApiClient): void {
    const conn: Conn = { ws, client, sequence: 0 };
    this.conns.add(conn);
    ws.on('close', () => this.conns.delete(conn));
    ws.on('error', () => this.conns.delete(conn));
    ws.on('message', (data: Buffer) => this.request(conn, data.toString('utf8')));
  }

  private send(conn: Conn, event: WsFrame['event']): void {
    const frame: WsFrame = { sequence: ++conn.sequence, event };
    conn.ws.send(JSON.stringify(frame));
  }

  private broadcast(e: ParticipantEvent): void {
    const duplicate = e.eventType === 0 && this.quirkRng.chance(this.ctx.opts.duplicateUpsertProbability);
    const faults = this.ctx.faults.settings;
    const event = participantEvent(e.eventType, e.dn, e.participantId);
    for (const conn of this.conns) {
      if (!canSee(conn.client, e.dn) || conn.ws.readyState !== conn.ws.OPEN) continue;
      if (faults.skipFrameProbability > 0 && this.faultRng.chance(faults.skipFrameProbability)) continue;
      this.send(conn, event);
      if (duplicate) this.send(conn, event);
      if (faults.duplicateFrameProbability > 0 && this.faultRng.chance(faults.duplicateFrameProbability))
        this.send(conn, event);
    }
  }

  private request(conn: Conn, text: string): void {
    const req = parseWsRequest(text);
    if (!req) return;
    const segments = req.Path.split('?')[0]?.split('/').filter(Boolean) ?? [];
    let body: Record<string, unknown> = {};
    if (req.RequestData) {
      try {
        body = JSON.parse(req.RequestData) as Record<string, unknown>;
      } catch {
        body = {};
      }
    }
    if (!req.RequestData) markRead(this.ctx, segments);
    const out = callControl(this.ctx, conn.client, req.RequestData ? 'POST' : 'GET', segments, body);
    this.send(conn, {
      event_type: 4,
      entity: req.Path,
      attached_data: {
        RequestID: req.RequestID,
        Path: req.Path,
        StatusCode: out.status,
        Response: out.body === null ? '' : JSON.stringify(out.body),
      },
    });
  }

  /** Sends one broken frame to every open connection. */
  sendMalformed(kind: MalformedKind): void {
    for (const conn of this.conns) conn.ws.send(malformedFrame(kind, ++conn.sequence));
  }

  /**
   * Sends `count` extra Upsert frames to every open connection, cycling through the live
   * participants it may see: a flood of the repeated-Upsert quirk. Each one makes a client GET
   * the participant again. At most 100,000 per connection and call. Returns the number of frames sent.
   */
  repeatUpserts(count: number): number {
    count = Math.min(count, 100_000);
    let sent = 0;
    for (const [conn, visible] of this.openWithVisibleLive()) {
      for (let i = 0; i < count && visible.length > 0; i++) {
        const [dn, id] = visible[i % visible.length]!;
        this.send(conn, participantEvent(0, dn, id));
        sent++;
      }
    }
    return sent;
  }

  /**
   * Sends what a caller on a route point causes besides call state: a DTMFstring (2) frame per
   * digit, `attached_data: {"dtmf_input": "<digit>"}` ([OFFICIAL S2]), then, if asked, a
   * PromptPlaybackFinished (3), for the live participants on each connection's own route point
   * only: 3CX sends DTMF only for the app's own calls ([OFFICIAL] docs, field review §1.9). No
   * client GET is due for either. At most 32 digits. Returns the number of frames sent.
   */
  sendKeypad(digits: string, promptFinished: boolean): number {
    const keys = [...digits.slice(0, 32)].filter((d) => /^[0-9*#A-D]$/.test(d));
    let sent = 0;
    for (const [conn, visible] of this.openWithVisibleLive()) {
      for (const [dn, id] of visible) {
        if (dn !== conn.client.routePoint) continue;
        const entity = participantEntity(dn, id);
        for (const key of keys)
          this.send(conn, { event_type: 2, entity, attached_data: { dtmf_input: key } });
        if (promptFinished) this.send(conn, { event_type: 3, entity, attached_data: null });
        sent += keys.length + (promptFinished ? 1 : 0);
      }
    }
    return sent;
  }

  /** Each open connection with the live participants (DN, id) its client may see. */
  private *openWithVisibleLive(): Generator<[Conn, [string, number][]]> {
    const live = this.ctx.state.liveParticipants();
    for (const conn of this.conns)
      if (conn.ws.readyState === conn.ws.OPEN) yield [conn, live.filter(([dn]) => canSee(conn.client, dn))];
  }

  /**
   * Closes (1008) every connection of a client that was just issued a new token: they were
   * opened with a token that is no longer valid (`newTokenClosesSockets`).
   */
  closeClient(clientId: string): void {
    for (const conn of this.conns)
      if (conn.client.clientId === clientId) {
        this.conns.delete(conn);
        conn.ws.close(1008, 'token replaced');
      }
  }

  /** Drops every connection abruptly (TCP reset, no close frame), like a crashed PBX. */
  dropAll(): void {
    for (const conn of this.conns) conn.ws.terminate();
    this.conns.clear();
  }

  get connectionCount(): number {
    return this.conns.size;
  }

  close(): void {
    this.ctx.state.off('participant', this.onEvent);
    this.dropAll();
    this.wss.close();
  }
}

/** An Upsert (0) or Remove (1) of one participant: no data, the client GETs the entity ([FIELD S6]). */
function participantEvent(eventType: 0 | 1, dn: string, id: number): WsFrame['event'] {
  return { event_type: eventType, entity: participantEntity(dn, id), attached_data: null };
}

/** The REST path of one participant, as frames name it. */
const participantEntity = (dn: string, id: number) => `/callcontrol/${dn}/participants/${id}`;
