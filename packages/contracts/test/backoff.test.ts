import { describe, expect, it } from 'vitest';
import { backoffSeconds } from '../src/index.js';

describe('backoffSeconds', () => {
  it('doubles per failed attempt until the cap, with the random half spread between the bounds', () => {
    expect(backoffSeconds(1, 10, 3600, 0)).toBe(5);
    expect(backoffSeconds(1, 10, 3600, 1)).toBe(10);
    expect(backoffSeconds(3, 10, 3600, 0)).toBe(20);
    expect(backoffSeconds(3, 10, 3600, 1)).toBe(40);
    expect(backoffSeconds(20, 10, 3600, 0.5)).toBe(2700);
  });

  it('never shrinks from one attempt to the next below the cap, whatever the jitter draws', () => {
    // 30 · 2^6 = 1,920 is the last step whose double stays under the 3,600 s cap.
    for (let attempt = 1; attempt <= 6; attempt++) {
      expect(backoffSeconds(attempt + 1, 30, 3600, 0)).toBeGreaterThanOrEqual(backoffSeconds(attempt, 30, 3600, 1));
    }
  });

  it('waits at least a second', () => {
    expect(backoffSeconds(1, 1, 1, 0)).toBe(1);
  });
});
