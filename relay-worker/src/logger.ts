import pino, { type Logger } from 'pino';

export type { Logger };

/** Paths never written to logs. */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'secret',
  '*.secret',
  '*.clientSecret',
  'clientSecret',
  'client_secret',
  'token',
  '*.token',
  'access_token',
  '*.access_token',
  'apiKey',
  '*.apiKey',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.cookie',
  '*.ciphertext',
  'databaseUrl',
  '*.databaseUrl',
];

/** The process logger: JSON lines on stdout (journald picks them up), optionally also a file. */
export function createLogger(opts: { level: string; file?: string | undefined; name?: string }): Logger {
  const base = {
    level: opts.level,
    name: opts.name ?? 'relay-worker',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  if (!opts.file) return pino(base);
  return pino(
    base,
    pino.multistream([
      { level: opts.level as pino.Level, stream: process.stdout },
      {
        level: opts.level as pino.Level,
        stream: pino.destination({ dest: opts.file, mkdir: true, sync: false }),
      },
    ]),
  );
}
