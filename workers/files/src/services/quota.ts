import type { Owner } from './owner.js';

/** What an owner uses and may use; reserved space counts as used. */
export interface Usage {
  bytesUsed: number;
  filesUsed: number;
  bytesReserved: number;
  filesReserved: number;
  bytesAllowed: number;
  filesAllowed: number;
}

/**
 * Reserves `bytes` (and `files`) for an upload about to start, atomically against the owner's quota: one statement
 * inserts the reservation only if the owner's files, trash and other reservations leave room, so concurrent uploads
 * cannot overshoot. Answers the reservation id; 413 `STORAGE_QUOTA_EXCEEDED` when there is no room.
 */
export async function reserveSpace(
  env: FilesEnv,
  owner: Owner,
  amount: { bytes: number; files?: number },
  ttlSeconds: number,
): Promise<string> {
  void env;
  void owner;
  void amount;
  void ttlSeconds;
  throw new Error('reserveSpace: not built yet');
}

/** Gives a reservation's space back (an upload that failed or was aborted); releasing twice is harmless. */
export async function releaseSpace(env: FilesEnv, reservationId: string): Promise<void> {
  void env;
  void reservationId;
  throw new Error('releaseSpace: not built yet');
}

/** The owner's usage and limits. */
export async function usageOf(env: FilesEnv, owner: Owner): Promise<Usage> {
  void env;
  void owner;
  throw new Error('usageOf: not built yet');
}
