import { config } from './config';

/**
 * Runs once when the server starts: validates the configuration so a bad setting stops
 * `next start` (exit 1) with one readable line per problem instead of failing every request.
 */
export function register(): void {
  try {
    config();
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
