/** 100 ns ticks between 1601-01-01 (Windows FILETIME epoch) and 1970-01-01. */
const FILETIME_EPOCH_OFFSET = 116444736000000000n;

/**
 * Generates ids in 3CX's CDR UUID format ([OFFICIAL S7]): 4 zero bytes, 8 bytes of UTC
 * timestamp (FILETIME ticks; the guide's example `00000000-01db-aef6-c109-60ec0000004c`
 * decodes to mid-2025 that way) and 4 bytes of the call manager's counter, which starts at 1
 * and resets to 1 when the PBX restarts.
 */
export class CdrIdGenerator {
  private counter = 0;

  next(at: Date = new Date()): string {
    this.counter = (this.counter % 0xffffffff) + 1;
    const ticks = BigInt(at.getTime()) * 10000n + FILETIME_EPOCH_OFFSET;
    const t = ticks.toString(16).padStart(16, '0');
    const c = this.counter.toString(16).padStart(8, '0');
    return `00000000-${t.slice(0, 4)}-${t.slice(4, 8)}-${t.slice(8, 12)}-${t.slice(12, 16)}${c}`;
  }

  /** The last counter value handed out (0 before the first id). */
  get current(): number {
    return this.counter;
  }

  /** A simulated PBX restart: the next id has counter 1. */
  reset(): void {
    this.counter = 0;
  }
}

/** Decodes a 3CX CDR id into its timestamp and counter. */
export function decodeCdrId(id: string): { at: Date; counter: number } {
  const hex = id.replace(/-/g, '');
  const ticks = BigInt('0x' + hex.slice(8, 24));
  const ms = Number((ticks - FILETIME_EPOCH_OFFSET) / 10000n);
  return { at: new Date(ms), counter: parseInt(hex.slice(24), 16) };
}
