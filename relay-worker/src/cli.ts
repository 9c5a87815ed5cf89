import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.js';
import { AppError, coerceError } from './errors.js';
import { runCommand } from './ops/commands/run-command.js';
import { VERSION } from './version.js';

const USAGE = `Usage: 3cx-relay <command> [options]

  doctor                    check the 3CX ini, 3CX's database, XAPI token and role, Call Control,
                            licence and the relay's own database; prints the fix for each failure
        --json              the report as JSON
  create-admin              create an admin user and print its password once
        --email ADDRESS     its email (login name)
        --if-none           only if no admin exists yet (install.sh uses this)
        --password PW       use this password instead of a generated one
  reset-password --email ADDRESS [--password PW]
                            set a new password (printed once) and sign the user out everywhere
  migrate                   apply pending database migrations (offline, from this release)
  version                   print the version

Settings come from the environment and RELAY_CONFIG_FILE (/opt/3cx-relay/config/worker.env).
Exit codes: 0 all good, 1 a check or command failed, 2 bad usage, 78 bad configuration.
`;

const out = (text: string) => process.stdout.write(text);

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      email: { type: 'string' },
      password: { type: 'string' },
      'if-none': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command] = positionals;
  if (!command || values.help || command === 'help') {
    out(USAGE);
    return command || values.help ? 0 : 2;
  }
  if (command === 'version') {
    out(`3cx-relay ${VERSION} (node ${process.versions.node})\n`);
    return 0;
  }
  const config = loadConfig();
  const opts = {
    email: values.email,
    password: values.password,
    ifNone: values['if-none'],
    json: values.json,
  };
  return runCommand(command, config, opts, out);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(
      `3cx-relay: ${err.message}\nfix: edit ${process.env.RELAY_CONFIG_FILE ?? 'worker.env'}\n`,
    );
    process.exitCode = 78;
  } else if (err instanceof AppError || (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    process.stderr.write(`3cx-relay: ${(err as Error).message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`3cx-relay: ${coerceError(err).message}\n`);
    process.exitCode = 1;
  }
}
