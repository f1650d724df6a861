import { describe, expect, it, vi } from 'vitest';
import { hashPassword, PBKDF2_ITERATIONS, PBKDF2_MAX_ITERATIONS, verifyPassword } from '../src/services/password.js';

describe('password hashing', () => {
  it('stores algorithm and parameters with the hash and verifies the same password', async () => {
    const stored = await hashPassword('correct horse ✓ battery', 'pepper-a');
    expect(stored).toMatch(/^pbkdf2-sha256\$100000\$[\w-]{22}\$[\w-]{43}$/);
    expect(await verifyPassword('correct horse ✓ battery', stored, 'pepper-a')).toEqual({
      valid: true,
      needsRehash: false,
    });
  });

  it('rejects a different password and the right password under another pepper', async () => {
    const stored = await hashPassword('s3cret-password', 'pepper-a');
    expect((await verifyPassword('s3cret-passwore', stored, 'pepper-a')).valid).toBe(false);
    expect((await verifyPassword('s3cret-password', stored, 'pepper-b')).valid).toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('same', 'p')).not.toBe(await hashPassword('same', 'p'));
  });

  it('never asks WebCrypto for more PBKDF2 iterations than deployed Workers accept', async () => {
    expect(PBKDF2_ITERATIONS).toBeLessThanOrEqual(PBKDF2_MAX_ITERATIONS);
    const deriveBits = vi.spyOn(crypto.subtle, 'deriveBits');
    const stored = await hashPassword('pw', 'p');
    await verifyPassword('pw', stored, 'p');
    for (const [algorithm] of deriveBits.mock.calls) {
      expect((algorithm as { iterations: number }).iterations).toBeLessThanOrEqual(100_000);
    }
    expect(deriveBits).toHaveBeenCalledTimes(2);
    deriveBits.mockRestore();
  });

  it('refuses a stored hash that would ask for more iterations than the cap', async () => {
    const stored = (await hashPassword('pw', 'p')).replace('$100000$', '$200000$');
    await expect(verifyPassword('pw', stored, 'p')).rejects.toThrow(RangeError);
  });

  it('marks a hash with older parameters for rehashing', async () => {
    const stored = (await hashPassword('pw', 'p')).replace('$100000$', '$50000$');
    expect((await verifyPassword('pw', stored, 'p')).needsRehash).toBe(true);
  });
});
