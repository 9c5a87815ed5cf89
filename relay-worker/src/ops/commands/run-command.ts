import { migrate } from '@3cx-relay/db/migrate';
import type { Config } from '../../config.js';
import { VERSION } from '../../version.js';
import { formatReport, runDoctor } from '../doctor/run-doctor.js';
import { createAdmin, resetPassword } from './admin-users.js';

/** Options every command may get from the command line. */
export interface CommandOptions {
  email?: string;
  password?: string;
  ifNone?: boolean;
  json?: boolean;
}

/** Output sink (stdout in the CLI, a buffer in tests). */
export type Write = (text: string) => void;

/** Runs one command; returns the process exit code. */
export async function runCommand(
  name: string,
  config: Config,
  opts: CommandOptions,
  write: Write,
): Promise<number> {
  switch (name) {
    case 'doctor': {
      const results = await runDoctor(config);
      write(opts.json ? JSON.stringify({ results }, null, 2) + '\n' : formatReport(results));
      return results.some((r) => r.status === 'fail') ? 1 : 0;
    }
    case 'migrate': {
      const r = await migrate(config.DATABASE_URL, { log: (line) => write(line + '\n') });
      write(`migrations: ${r.applied.length} applied, ${r.alreadyApplied.length} already applied\n`);
      return 0;
    }
    case 'create-admin': {
      const r = await createAdmin(config.DATABASE_URL, opts);
      if (!r.created) write('An admin user exists already; nothing to do.\n');
      else
        write(`Created admin ${r.email}\nPassword (shown once, change it after logging in): ${r.password}\n`);
      return 0;
    }
    case 'reset-password': {
      if (!opts.email) {
        write('reset-password needs --email <address>\n');
        return 2;
      }
      const r = await resetPassword(config.DATABASE_URL, { email: opts.email, password: opts.password });
      write(
        `New password for ${r.email} (shown once; other sessions of this user are signed out): ${r.password}\n`,
      );
      return 0;
    }
    case 'version':
      write(`3cx-relay ${VERSION} (node ${process.versions.node})\n`);
      return 0;
    default:
      write(`unknown command "${name}"\n`);
      return 2;
  }
}
