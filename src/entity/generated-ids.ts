/**
 * Generated ids and tokens. Both draw their randomness from the CSPRNG a pool
 * at a time: every call to it is a system call here, a few microseconds (as
 * much as the rest of building a row), so it is asked for 4 KiB at once and
 * handed out 16 bytes at a time, as Node's own randomUUID() does with its cache.
 */
import { randomFillSync } from 'node:crypto';
import { v7 as uuidV7 } from 'uuid';

const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let taken = 0;

/** 16 bytes no one else is given. */
function random16(): Buffer {
  if (taken + 16 > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_BYTES));
    taken = 0;
  }
  const bytes = pool.subarray(taken, taken + 16);
  taken += 16;
  return bytes;
}

// RFC 9562 §6.2 method 1: within one millisecond a counter (seeded at random) orders the ids,
// so ids made one after another sort in the order they were made, as `uuid` keeps them.
let lastMsecs = -Infinity;
let seq = 0;

/** A UUIDv7 (RFC 9562): time-ordered, increasing within this process. */
export function timeOrderedUuid(): string {
  const random = random16();
  const now = Date.now();
  if (now > lastMsecs) {
    lastMsecs = now;
    seq = ((random[6] & 0x7f) << 24) | (random[7] << 16) | (random[8] << 8) | random[9];
  } else {
    seq = (seq + 1) | 0;
    // The counter ran over: borrow the next millisecond, as the RFC allows.
    if (seq === 0) lastMsecs++;
  }
  return uuidV7({ msecs: lastMsecs, seq, random });
}

/** token_local: 32 lowercase hex characters from the CSPRNG. */
export function randomToken(): string {
  return random16().toString('hex');
}
