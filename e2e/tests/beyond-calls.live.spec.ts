import { STORAGE } from '../support/auth.js';
import { expect, test } from '../support/live-fixture.js';
import { startReceiver } from '../support/receiver.js';

test.use({ storageState: STORAGE.admin });

const TYPES = ['agent.status_changed', 'queue.stats', 'call.recording_ready', 'voicemail.received'];

test('agent, queue, recording and voicemail events arrive signed at a loopback receiver, with audio links that play', async ({
  request,
  live,
}) => {
  test.setTimeout(90_000);
  const receiver = await startReceiver();
  let id = '';
  try {
    const res = await request.post('/admin/api/webhooks', {
      data: { name: 'Beyond calls', url: receiver.url, eventTypes: TYPES, allowedCidrs: ['127.0.0.0/8'] },
    });
    expect(res.ok(), await res.text()).toBe(true);
    const created = (await res.json()) as { subscription: { id: string }; secret: string };
    id = created.subscription.id;
    receiver.setSecret(created.secret);
    const got = (type: string) =>
      receiver.received.filter((r) => r.payload?.type === type && r.verifyError === null);

    // An agent goes on a break on their phone; a queue call is answered (and recorded); a caller
    // leaves a message in a mailbox.
    await live.sim.setUser('102', { profile: 'Custom 1' });
    await live.sim.runScenario('inbound-queue-answered');
    await live.sim.runScenario('voicemail');
    for (const type of TYPES)
      await expect.poll(() => got(type).length, { message: type, timeout: 30_000 }).toBeGreaterThan(0);
    expect(receiver.received.filter((r) => r.verifyError !== null)).toEqual([]);

    const agent = got('agent.status_changed').find(
      (r) => (r.payload!.data as { extension: string }).extension === '102',
    );
    expect(agent?.payload?.data).toMatchObject({ presence: 'custom1', changed: ['profile'] });
    expect(got('queue.stats')[0]!.payload!.data).toMatchObject({ queue: '800' });
    for (const type of ['call.recording_ready', 'voicemail.received']) {
      const audio = (got(type)[0]!.payload!.data as { audio: { signedUrl: string } }).audio;
      const file = await fetch(`${live.workerUrl}${audio.signedUrl}`, { headers: { range: 'bytes=0-43' } });
      expect(file.status, type).toBe(206);
      expect(
        Buffer.from(await file.arrayBuffer())
          .subarray(0, 4)
          .toString('ascii'),
      ).toBe('RIFF');
    }
    expect(got('voicemail.received')[0]!.payload!.data).toMatchObject({ mailbox: '103' });
    // Opt-in: nothing else reached this subscription.
    expect(receiver.received.map((r) => r.payload?.type).filter((t) => !TYPES.includes(t!))).toEqual([]);
  } finally {
    if (id) await request.patch(`/admin/api/webhooks/${id}`, { data: { enabled: false } });
    await live.sim.setUser('102', { profile: 'Available' });
    await receiver.close();
  }
});
