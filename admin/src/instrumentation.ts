/**
 * Runs once when the server starts: validates the configuration so a bad setting stops
 * `next start` (exit 78, EX_CONFIG, which the systemd unit does not restart-loop on) with one
 * readable line per problem instead of failing every request. Node runtime only: the Edge
 * runtime has no process to stop.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { checkConfigOrExit } = await import('./check-config');
  checkConfigOrExit();
}
