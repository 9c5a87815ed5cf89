import type pg from 'pg';
import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';
import type { EventStore } from '../../events/event-store.js';
import { HoldingAppender } from '../../events/holding-appender.js';
import type { StatusBoard } from '../../status/status-board.js';
import type { Lifecycle } from '../../lifecycle/lifecycle.js';
import { MediaLinks, type MediaKind } from '../../api/media/media-links.js';
import { recordingOrigin, type MediaOrigin } from '../../api/media/media-origin.js';
import type { Sources } from '../start-sources.js';
import { RecordingSource } from './recording-source.js';
import { VoicemailSource } from '../voicemail/voicemail-source.js';
import { voicemailOrigin } from '../voicemail/voicemail-origin.js';

/** Recordings and voicemails: the sources of their events and where their audio comes from. */
export interface Media {
  links: MediaLinks;
  origins: Partial<Record<MediaKind, MediaOrigin>>;
  /** Why a kind has no origin (the 503 the route answers). */
  unavailable: Record<MediaKind, string>;
  recordings: RecordingSource | undefined;
  voicemails: VoicemailSource | undefined;
}

export interface MediaDeps {
  config: Config;
  log: Logger;
  pool: pg.Pool;
  events: EventStore;
  status: StatusBoard;
  lifecycle: Lifecycle;
  sources: Sources;
}

/** Starts the recording source (XAPI) and sets up the media links and origins. */
export function startMedia(d: MediaDeps): Media {
  const { config: c } = d;
  const links = new MediaLinks(
    c.RELAY_ENCRYPTION_KEY,
    c.RELAY_PUBLIC_URL ?? '',
    c.MEDIA_LINK_TTL_HOURS * 3_600_000,
  );
  const http = c.SOURCE_XAPI_ENABLED ? d.sources.pbxHttp : undefined;
  const media: Media = {
    links,
    origins: http ? { recordings: recordingOrigin(http) } : {},
    unavailable: {
      recordings:
        'recordings are read through XAPI: set PBX_URL, PBX_CLIENT_ID, PBX_CLIENT_SECRET and SOURCE_XAPI_ENABLED',
      voicemails:
        'voicemails are read from 3CX’s database: enable SOURCE_DB_ENABLED with its credentials, and VOICEMAIL_ENABLED',
    },
    recordings: undefined,
    voicemails: undefined,
  };
  const pbxPool = d.sources.pbxDbPool;
  if (pbxPool && c.VOICEMAIL_ENABLED) {
    media.origins.voicemails = voicemailOrigin(c.PBX_VOICEMAIL_DIR, pbxPool);
    const log = d.log.child({ module: 'voicemail' });
    const appender = new HoldingAppender(d.events, log, 'voicemail.received events', 1000);
    const source = new VoicemailSource(
      {
        pbxPool,
        pool: d.pool,
        events: d.events,
        append: (e) => appender.append(e),
        status: d.status,
        links,
        pollMs: c.VOICEMAIL_POLL_MS,
        matchWaitMs: c.VOICEMAIL_MATCH_WAIT_MS,
      },
      log,
    );
    source.start();
    d.lifecycle.onClose('voicemails', () => source.stop());
    media.voicemails = source;
  }
  if (http && c.RECORDINGS_ENABLED) {
    const log = d.log.child({ module: 'recordings' });
    const appender = new HoldingAppender(d.events, log, 'call.recording_ready events', 1000);
    const source = new RecordingSource(
      {
        http,
        pool: d.pool,
        append: (e) => appender.append(e),
        status: d.status,
        links,
        pollMs: c.RECORDING_POLL_MS,
        matchWaitMs: c.RECORDING_MATCH_WAIT_MS,
      },
      log,
    );
    source.start();
    d.lifecycle.onClose('recordings', () => source.stop());
    media.recordings = source;
  }
  return media;
}
