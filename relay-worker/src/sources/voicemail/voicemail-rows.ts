import type pg from 'pg';

/** One `s_voicemail` row as the relay reads it (read-only). */
export interface VoicemailRow {
  id: number;
  wav_file: string | null;
  caller: string | null;
  caller_name: string | null;
  /** The mailbox (extension number). */
  callee: string | null;
  /** Seconds. */
  duration: number | null;
  /** `created_time`, a timestamp without time zone, read as UTC ([INFERRED]). */
  created_at: Date | null;
  transcription: string | null;
  removed: string | null;
  cdr_participant_id: string | null;
}

/** Rows read at most per query. */
export const VOICEMAIL_BATCH = 100;

/** Voicemail messages with an id above `afterId`, oldest first (one indexed query on the primary key). */
export async function readVoicemailsAfter(pool: pg.Pool, afterId: number): Promise<VoicemailRow[]> {
  const res = await pool.query<VoicemailRow>(
    `SELECT id, wav_file, caller, caller_name, callee, duration, created_time AT TIME ZONE 'UTC' AS created_at,
            transcription, removed, cdr_participant_id::text AS cdr_participant_id
       FROM public.s_voicemail WHERE id > $1 ORDER BY id LIMIT $2`,
    [afterId, VOICEMAIL_BATCH],
  );
  return res.rows;
}

/** The newest message id (0 without any): where a first run starts. */
export async function newestVoicemailId(pool: pg.Pool): Promise<number> {
  const res = await pool.query<{ max: number | null }>('SELECT max(id) AS max FROM public.s_voicemail');
  return res.rows[0]?.max ?? 0;
}

/** The file and mailbox of a message that is not removed, for its audio. */
export async function voicemailFile(
  pool: pg.Pool,
  id: number,
): Promise<{ wav_file: string; callee: string } | null> {
  const res = await pool.query<{ wav_file: string | null; callee: string | null; removed: string | null }>(
    'SELECT wav_file, callee, removed FROM public.s_voicemail WHERE id = $1',
    [id],
  );
  const r = res.rows[0];
  if (!r?.wav_file || !r.callee || (r.removed ?? '') !== '') return null;
  return { wav_file: r.wav_file, callee: r.callee };
}
