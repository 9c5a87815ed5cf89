import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Simulator } from '../src/index.js';
import { startTestSim } from './helpers.js';

let sim: Simulator;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sim-vm-'));
  sim = await startTestSim('vmaudio', { voicemailDir: dir });
});
afterAll(async () => {
  await sim?.stop();
  await rm(dir, { recursive: true, force: true });
});

it('a message has its transcription in s_voicemail and its audio as a WAV in <voicemailDir>/<mailbox>/<wav_file>', async () => {
  const s = await sim.runScenario('voicemail');
  expect(s.cdrsWritten).toBe(true);
  const ro = new pg.Client({ connectionString: sim.readonlyDbUrl });
  await ro.connect();
  try {
    const { rows } = await ro.query('SELECT * FROM s_voicemail ORDER BY id DESC LIMIT 1');
    const vm = rows[0];
    expect(vm.transcription).toMatch(/\w+ \w+/);
    const wav = await readFile(path.join(dir, vm.callee, vm.wav_file));
    expect(wav.subarray(0, 4).toString('ascii')).toBe('RIFF');
    expect(wav.subarray(8, 12).toString('ascii')).toBe('WAVE');
    // 8 kHz 16-bit mono: 16,000 bytes a second of message.
    expect(wav.length).toBe(44 + vm.duration * 16_000);
  } finally {
    await ro.end();
  }
});
