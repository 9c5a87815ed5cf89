import pino from 'pino';

/** The admin's logger: JSON lines on stdout. Secrets, passwords and cookies are redacted. */
export const log = pino({
  name: 'relay-admin',
  level: 'info',
  redact: {
    paths: [
      'password',
      '*.password',
      'secret',
      '*.secret',
      'key',
      '*.key',
      'cookie',
      '*.cookie',
      'authorization',
      '*.authorization',
    ],
    censor: '[redacted]',
  },
});
