import { describe, expect, it } from 'vitest';
import { member, siteGet, siteOf } from './stats-helpers.js';

interface Problem {
  status: number;
  code: string;
  errors?: Array<{ path: string; message: string }>;
}

const me = member();
const site = siteOf(me);

async function problemOf(path: string): Promise<Problem> {
  const res = await siteGet(await site, path, me);
  expect(res.status, path).toBe(400);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  return res.json();
}

describe('query parameters of the site query API', () => {
  it.each([
    ['/stats?metrics=visitors,clicks', 'query.metrics'],
    ['/stats?metrics=', 'query.metrics'],
    ['/stats?period=week', 'query.period'],
    ['/stats?period=custom&from=2025-01-02', 'query.to'],
    ['/stats?period=custom&to=2025-01-02', 'query.from'],
    ['/stats?period=custom&from=2025-02-30&to=2025-03-01', 'query.from'],
    ['/stats?period=custom&from=2025-1-1&to=2025-03-01', 'query.from'],
    ['/stats?period=custom&from=2025-03-02&to=2025-03-01', 'query.from'],
    ['/stats?period=custom&from=2020-01-01&to=2025-01-01', 'query.to'],
    ['/stats?period=7d&from=2025-01-01', 'query.from'],
    ['/stats?interval=week', 'query.interval'],
    ['/stats?interval=hour&period=30d', 'query.interval'],
    ['/stats?interval=day&dimension=page', 'query.interval'],
    ['/stats?dimension=city', 'query.dimension'],
    ['/stats?filters=city==Paris', 'query.filters'],
    ['/stats?filters=country=DE', 'query.filters'],
    ['/stats?filters=country==%E0%A4%A', 'query.filters'],
    [`/stats?filters=${Array.from({ length: 11 }, () => 'country==DE').join(';')}`, 'query.filters'],
    [`/stats?filters=page==${Array.from({ length: 51 }, (_, i) => `/p${i}`).join('|')}`, 'query.filters'],
    ['/stats?dimension=page&limit=0', 'query.limit'],
    ['/stats?dimension=page&limit=1001', 'query.limit'],
    ['/stats?dimension=page&limit=ten', 'query.limit'],
    ['/stats?dimension=page&page=0', 'query.page'],
    ['/stats?compute=fast', 'query.compute'],
    ['/funnel?steps=/a', 'query.steps'],
    ['/funnel', 'query.steps'],
    [`/funnel?steps=${Array.from({ length: 9 }, (_, i) => `/s${i}`).join(',')}`, 'query.steps'],
    ['/funnel?steps=/a,pricing', 'query.steps'],
    ['/funnel?steps=/a,event:', 'query.steps'],
    ['/funnel?steps=/a,/b&window=0', 'query.window'],
    ['/funnel?steps=/a,/b&window=86401', 'query.window'],
    ['/funnel?steps=/a,/b&period=forever', 'query.period'],
    ['/retention?weeks=0', 'query.weeks'],
    ['/retention?weeks=27', 'query.weeks'],
    ['/export.csv?dimension=planet', 'query.dimension'],
    ['/export.csv?period=custom&from=2025-01-05&to=2025-01-01', 'query.from'],
  ])('%s is a 400 naming %s', async (path, param) => {
    const problem = await problemOf(path);
    expect(problem.code).toBe('VALIDATION_FAILED');
    expect(problem.errors?.map((e) => e.path)).toContain(param);
  });

  it('names every bad parameter of one request', async () => {
    const problem = await problemOf('/stats?metrics=hits&period=ever&dimension=planet&limit=-1');
    expect(problem.errors?.map((e) => e.path).sort()).toEqual(
      ['query.dimension', 'query.limit', 'query.metrics', 'query.period'].sort(),
    );
  });

  it('ignores unknown parameters and takes a range of exactly five years', async () => {
    for (const path of [
      '/stats?utm=1&foo=bar',
      '/stats?period=custom&from=2020-01-01&to=2024-12-31',
      '/stats?interval=hour&period=7d',
    ]) {
      expect((await siteGet(await site, path, me)).status, path).toBe(200);
    }
  });
});
