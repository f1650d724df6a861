import { describe, expect, it } from 'vitest';
import { csvField } from '../src/services/export-csv.js';
import { dailyRollups, member, siteGet, siteOf } from './stats-helpers.js';

describe('GET /sites/{id}/export.csv', () => {
  it('streams the daily timeseries of every metric with a download name', async () => {
    const me = member();
    const site = await siteOf(me);
    await dailyRollups(site, [
      { date: '2025-01-02', visitors: 3, pageviews: 7, visits: 4, bounces: 1, duration: 80, events: 2, revenue: 1999 },
    ]);
    const res = await siteGet(site, '/export.csv?period=custom&from=2025-01-01&to=2025-01-03', me);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="${site.domain}-2025-01-01-2025-01-03.csv"`,
    );
    expect(await res.text()).toBe(
      'date,visitors,pageviews,visits,bounce_rate,visit_duration,events,revenue\r\n' +
        '2025-01-01,0,0,0,0,0,0,0\r\n' +
        '2025-01-02,3,7,4,25,20,2,1999\r\n' +
        '2025-01-03,0,0,0,0,0,0,0\r\n',
    );
  });

  it('quotes hostile page names and referrers and defuses formulas', async () => {
    const me = member();
    const site = await siteOf(me);
    const hostile = [
      '/a,b',
      '/say "hi"',
      '/line\r\nbreak',
      '=HYPERLINK("http://evil.example","x")',
      '+1',
      '-2+3',
      '@SUM(A1)',
      '\tcmd',
      '/plain',
    ];
    await dailyRollups(
      site,
      hostile.map((value, i) => ({ date: '2025-01-02', dimension: 'referrer', value, visitors: 20 - i })),
    );
    const res = await siteGet(site, '/export.csv?period=custom&from=2025-01-02&to=2025-01-02&dimension=referrer', me);
    const zeros = ',0,0,0,0,0,0';
    expect(await res.text()).toBe(
      [
        'value,visitors,pageviews,visits,bounce_rate,visit_duration,events,revenue',
        `"/a,b",20${zeros}`,
        `"/say ""hi""",19${zeros}`,
        `"/line\r\nbreak",18${zeros}`,
        `"'=HYPERLINK(""http://evil.example"",""x"")",17${zeros}`,
        `'+1,16${zeros}`,
        `'-2+3,15${zeros}`,
        `'@SUM(A1),14${zeros}`,
        `'\tcmd,13${zeros}`,
        `/plain,12${zeros}`,
        '',
      ].join('\r\n'),
    );
  });

  it('pages through a breakdown longer than one read', async () => {
    const me = member();
    const site = await siteOf(me);
    const values = Array.from({ length: 2100 }, (_, i) => ({
      date: '2025-01-02',
      dimension: 'page',
      value: `/p${String(i).padStart(4, '0')}`,
      visitors: 1,
    }));
    await dailyRollups(site, values);
    const res = await siteGet(site, '/export.csv?period=custom&from=2025-01-02&to=2025-01-02&dimension=page', me);
    const lines = (await res.text()).split('\r\n').filter((l) => l !== '');
    expect(lines).toHaveLength(2101);
    expect(new Set(lines).size).toBe(2101);
    expect(lines[1]).toMatch(/^\/p0000,1,/);
    expect(lines[2100]).toMatch(/^\/p2099,1,/);
  });
});

describe('CSV fields', () => {
  it('leaves numbers, even negative ones, as they are and quotes a lone CR', () => {
    expect(csvField(-5)).toBe('-5');
    expect(csvField('a\rb')).toBe('"a\rb"');
    expect(csvField('\rx')).toBe(`"'\rx"`);
    expect(csvField('')).toBe('');
  });
});
