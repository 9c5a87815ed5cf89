import { describe, expect, it } from 'vitest';
import { formatLogLine } from '../support/pretty-log.js';

describe('npm start log lines on a terminal', () => {
  it('turns a pino JSON line into time, level, origin, message and key=value fields', () => {
    const line = JSON.stringify({
      level: 30,
      time: Date.UTC(2026, 11, 4, 12, 4, 5, 123),
      pid: 1,
      hostname: 'h',
      name: 'relay-worker',
      module: 'http',
      url: 'http://127.0.0.1:8082',
      count: 3,
      msg: 'relay-worker listening',
    });
    expect(formatLogLine(line)).toBe(
      '12:04:05.123 INFO  relay-worker/http relay-worker listening url=http://127.0.0.1:8082 count=3',
    );
  });

  it('puts an error stack under the line and colours the level when asked', () => {
    const line = JSON.stringify({
      level: 50,
      time: 0,
      msg: 'request failed',
      err: { message: 'boom here', stack: 'Error: boom here\n    at f (x.js:1:1)' },
    });
    expect(formatLogLine(line)).toBe(
      '00:00:00.000 ERROR request failed err="boom here"\n    at f (x.js:1:1)',
    );
    expect(formatLogLine(line, true)).toContain('\x1b[31mERROR\x1b[0m');
  });

  it('passes anything that is not a pino line through unchanged', () => {
    for (const l of ['▲ Next.js 16.4.6', '{"not":"pino"}', '{broken', '']) expect(formatLogLine(l)).toBe(l);
  });
});
