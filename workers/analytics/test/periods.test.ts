import { describe, expect, it } from 'vitest';
import { bucketsOf, daysBetween, fiveYearsAfter, isDate, periodRange } from '../src/services/periods.js';

describe('site-local periods', () => {
  it('ends every named period today and starts it where its name says', () => {
    const today = '2024-03-31';
    expect(periodRange('day', today)).toEqual({ from: today, to: today });
    expect(periodRange('7d', today)).toEqual({ from: '2024-03-25', to: today });
    expect(periodRange('30d', today)).toEqual({ from: '2024-03-02', to: today });
    expect(periodRange('month', today)).toEqual({ from: '2024-03-01', to: today });
    expect(periodRange('12mo', today)).toEqual({ from: '2023-04-01', to: today });
    expect(periodRange('12mo', '2025-01-15')).toEqual({ from: '2024-02-01', to: '2025-01-15' });
    expect(periodRange('custom', today, { from: '2024-01-01', to: '2024-01-02' })).toEqual({
      from: '2024-01-01',
      to: '2024-01-02',
    });
  });

  it('lists every bucket, leap days and month ends included', () => {
    expect(bucketsOf({ from: '2024-02-28', to: '2024-03-01' }, 'day')).toEqual([
      '2024-02-28',
      '2024-02-29',
      '2024-03-01',
    ]);
    expect(bucketsOf({ from: '2023-12-31', to: '2024-02-01' }, 'month')).toEqual(['2023-12', '2024-01', '2024-02']);
    const hours = bucketsOf({ from: '2024-03-30', to: '2024-03-31' }, 'hour');
    expect(hours).toHaveLength(48);
    expect(hours[0]).toBe('2024-03-30T00:00');
    expect(hours[47]).toBe('2024-03-31T23:00');
  });

  it('accepts only real calendar days', () => {
    expect(isDate('2024-02-29')).toBe(true);
    expect(isDate('2023-02-29')).toBe(false);
    expect(isDate('2024-13-01')).toBe(false);
    expect(isDate('2024-1-01')).toBe(false);
    expect(isDate('20240101')).toBe(false);
    expect(daysBetween('2024-02-28', '2024-03-01')).toBe(2);
  });
});

describe('the five-year limit', () => {
  it('falls on the same day five years later, 29 February on 1 March', () => {
    expect(fiveYearsAfter('2020-01-01')).toBe('2025-01-01');
    expect(fiveYearsAfter('2024-02-29')).toBe('2029-03-01');
  });
});
