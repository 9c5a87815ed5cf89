import { config } from './config';

/** Validates the configuration; on failure prints the problems and exits with 78 (EX_CONFIG). */
export function checkConfigOrExit(): void {
  try {
    config();
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(78);
  }
}
