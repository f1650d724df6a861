import { describe, expect, it } from 'vitest';
import { newId, QUEUE_NAMES, queueBaseName } from '../src/index.js';

describe('newId', () => {
  it('makes a prefixed id of 128 random bits that never repeats', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newId('usr')));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^usr_[0-9a-f]{32}$/);
  });
});

describe('queueBaseName', () => {
  it.each([
    ['onasis-jobs', QUEUE_NAMES.jobs],
    ['onasis-jobs-staging', QUEUE_NAMES.jobs],
    ['onasis-jobs-dlq-production', QUEUE_NAMES.jobsDlq],
    ['onasis-notifications-dlq', QUEUE_NAMES.notificationsDlq],
    ['onasis-user-events-staging', QUEUE_NAMES.userEvents],
    ['onasis-analytics-events-production', QUEUE_NAMES.analyticsEvents],
    ['onasis-platform-events-dlq', QUEUE_NAMES.platformEventsDlq],
  ])('names %s as %s', (name, base) => {
    expect(queueBaseName(name)).toBe(base);
  });

  it('keeps a suffix that is part of the name', () => {
    expect(queueBaseName('onasis-jobs-dlq')).toBe('onasis-jobs-dlq');
    expect(queueBaseName('onasis-staging-jobs')).toBe('onasis-staging-jobs');
  });
});
