import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Where the global setup leaves the running stack's coordinates for the test workers. */
export const STATE_FILE = path.resolve(import.meta.dirname, '..', '.state', 'stack.json');

/** The running stack, as seen from a test. */
export interface StackState {
  origin: string;
  databaseUrl: string;
  encryptionKey: string;
}

/** Reads the stack's coordinates written by the global setup. */
export function stackState(): StackState {
  return JSON.parse(readFileSync(STATE_FILE, 'utf8')) as StackState;
}
