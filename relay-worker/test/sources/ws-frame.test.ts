import { describe, expect, it } from 'vitest';
import { parseFrame, parseParticipantEntity } from '../../src/sources/callcontrol/ws-frame.js';

describe('parseFrame', () => {
  it('reads an Upsert envelope with null attached_data', () => {
    expect(
      parseFrame(
        '{"sequence":15,"event":{"event_type":0,"entity":"/callcontrol/150/participants/8106","attached_data":null}}',
      ),
    ).toEqual({ sequence: 15, eventType: 0, entity: '/callcontrol/150/participants/8106' });
  });
  it('names the problem of broken frames instead of throwing', () => {
    expect(parseFrame('{"sequence":1,"event":{"event_type":0,"entity":')).toEqual({ problem: 'not-json' });
    expect(parseFrame(JSON.stringify({ sequence: '1', event: { event_type: 9, entity: 42 } }))).toEqual({
      problem: 'wrong-shape',
    });
    expect(parseFrame('null')).toEqual({ problem: 'wrong-shape' });
    expect(
      parseFrame(
        JSON.stringify({
          sequence: 1,
          event: { event_type: 0, entity: '/x', attached_data: 'x'.repeat(300_000) },
        }),
      ),
    ).toEqual({ problem: 'oversized' });
  });
  it('parses participant entities and ignores others', () => {
    expect(parseParticipantEntity('/callcontrol/101/participants/12')).toEqual({ dn: '101', id: 12 });
    expect(parseParticipantEntity('/callcontrol/101/devices/sip%3A101')).toBeNull();
  });
});
