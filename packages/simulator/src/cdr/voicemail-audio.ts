import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { VoicemailRecord } from '../pbx/call.js';
import { toneWav } from '../xapi/recording-audio.js';

const TEXTS = [
  'Hi, this is about my order from last week. Please call me back when you can. Thanks.',
  'Hello, I tried to reach support about the invoice. My number is on file. Bye.',
  'Good morning, just confirming our appointment tomorrow at ten. See you then.',
];

/** A transcription for a message, as 3CX's voicemail transcription would give ([INFERRED] text). */
export function voicemailText(seed: number): string {
  return TEXTS[seed % TEXTS.length]!;
}

/**
 * Writes each message's audio (a real WAV as long as the message) to
 * `<dir>/<mailbox>/<wav_file>` before its `s_voicemail` row is written, as 3CX has the file
 * before it lists the message ([INFERRED]). Mailbox folders are 0750 and files 0640, readable by
 * their owner's group and no one else, as 3CX keeps its data owned by its own user and group
 * (`phonesystem:phonesystem`, `chmod 750` in a 3CX admin guide): [FIELD] for ownership, the
 * exact modes [UNVERIFIED]. So a reader in another account needs a grant (install.sh's ACL).
 */
export async function writeVoicemailAudio(dir: string, messages: VoicemailRecord[]): Promise<void> {
  for (const m of messages) {
    const folder = path.join(dir, m.callee);
    await mkdir(folder, { recursive: true, mode: 0o750 });
    await writeFile(path.join(folder, m.wavFile), toneWav(m.duration, m.duration + m.callee.length), {
      mode: 0o640,
    });
  }
}
