import type { SimRecording } from '../cdr/recordings.js';

/** Recordings are 8 kHz 16-bit mono PCM WAV, as 3CX stores them ([SECONDARY]). */
const RATE = 8000;
/** Audio is cut at 2 minutes: tests and benchmarks need bytes, not long files. */
const MAX_SECONDS = 120;

const cache = new WeakMap<SimRecording, Buffer>();

/**
 * A real, playable WAV file for a recording: a RIFF header and a quiet tone whose pitch
 * depends on the recording id, as long as the recorded talk (simulated time, at most 2 min).
 */
export function recordingWav(r: SimRecording): Buffer {
  const hit = cache.get(r);
  if (hit) return hit;
  const buf = toneWav((r.end.getTime() - r.start.getTime()) / 1000, r.id);
  cache.set(r, buf);
  return buf;
}

/** A playable WAV of `seconds` (1 s to 2 min) with a quiet tone whose pitch depends on `seed`. */
export function toneWav(duration: number, seed: number): Buffer {
  const seconds = Math.min(MAX_SECONDS, Math.max(1, duration));
  const samples = Math.round(seconds * RATE);
  const buf = Buffer.alloc(44 + samples * 2);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + samples * 2, 4);
  buf.write('WAVEfmt ', 8, 'ascii');
  buf.writeUInt32LE(16, 16); // PCM chunk size
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(1, 22); // mono
  buf.writeUInt32LE(RATE, 24);
  buf.writeUInt32LE(RATE * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(samples * 2, 40);
  const hz = 300 + (seed % 10) * 40;
  for (let i = 0; i < samples; i++)
    buf.writeInt16LE(Math.round(2000 * Math.sin((2 * Math.PI * hz * i) / RATE)), 44 + i * 2);
  return buf;
}
