import { describe, expect, it } from 'vitest';
import { enrich, MAX_DIMENSION_CHARS } from '../src/services/enrich.js';
import { PropsSchema, RevenueSchema } from '../src/services/event-input.js';
import { knownSourceOf } from '../src/services/sources.js';

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';
const IPAD =
  'Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';

const of = (url: string, referrer?: string | null, userAgent = FIREFOX, country?: string) =>
  enrich({ url: new URL(url), referrer, userAgent, country });

describe('enrich', () => {
  it('keeps the decoded path without query or fragment, and the host without www.', () => {
    const d = of('https://www.example.com/caf%C3%A9/menu?x=1#top');
    expect(d.hostname).toBe('example.com');
    expect(d.pathname).toBe('/café/menu');
  });

  it('keeps a path whose escapes are not UTF-8 as sent, and cuts long paths', () => {
    expect(of('https://example.com/100%25/%E0%A4%A').pathname).toBe('/100%25/%E0%A4%A');
    expect(of(`https://example.com/${'a'.repeat(3000)}`).pathname).toHaveLength(MAX_DIMENSION_CHARS);
  });

  it('names a referrer by host and path, and drops self-referrals and junk', () => {
    expect(of('https://example.com/', 'https://www.blog.example.org/posts/1?utm=x')).toMatchObject({
      referrer: 'blog.example.org/posts/1',
      source: 'blog.example.org',
    });
    expect(of('https://example.com/', 'https://news.example.net/')).toMatchObject({ referrer: 'news.example.net' });
    expect(of('https://www.example.com/a', 'https://example.com/b')).toMatchObject({ referrer: '', source: '' });
    expect(of('https://example.com/', 'not a url')).toMatchObject({ referrer: '', source: '' });
    expect(of('https://example.com/', 'android-app://com.slack')).toMatchObject({ referrer: '', source: '' });
    expect(of('https://example.com/', null)).toMatchObject({ referrer: '', source: '' });
  });

  it('names well-known sources from a table, country domains included', () => {
    expect(of('https://example.com/', 'https://www.google.co.uk/').source).toBe('Google');
    expect(of('https://example.com/', 'https://t.co/abc').source).toBe('Twitter');
    expect(of('https://example.com/', 'https://news.ycombinator.com/item?id=1').source).toBe('Hacker News');
    expect(of('https://example.com/', 'https://l.facebook.com/l.php').source).toBe('Facebook');
    expect(knownSourceOf('google.evil-example.com')).toBeNull();
    expect(knownSourceOf('m.youtube.com')).toBe('YouTube');
  });

  it('takes the source from utm_source, ref or source before the referrer, and keeps UTM fields', () => {
    const d = of(
      'https://example.com/?utm_source=newsletter&utm_medium=email&utm_campaign=spring+sale',
      'https://www.google.com/',
    );
    expect(d).toMatchObject({
      source: 'newsletter',
      utmSource: 'newsletter',
      utmMedium: 'email',
      utmCampaign: 'spring sale',
      referrer: 'google.com',
    });
    expect(of('https://example.com/?ref=producthunt').source).toBe('producthunt');
    expect(of('https://example.com/?source=podcast').source).toBe('podcast');
  });

  it('tells desktop, mobile and tablet apart, with browser and OS', () => {
    expect(of('https://example.com/', null, FIREFOX)).toMatchObject({
      device: 'desktop',
      browser: 'Firefox',
      os: 'Linux',
    });
    expect(of('https://example.com/', null, IPHONE)).toMatchObject({
      device: 'mobile',
      browser: 'Mobile Safari',
      os: 'iOS',
    });
    expect(of('https://example.com/', null, IPAD)).toMatchObject({ device: 'tablet', os: 'iOS' });
  });

  it('keeps a two-letter country and drops unknown (XX) and Tor (T1)', () => {
    expect(of('https://example.com/', null, FIREFOX, 'de').country).toBe('DE');
    for (const c of ['XX', 'T1', undefined, 'DEU', ''])
      expect(of('https://example.com/', null, FIREFOX, c).country).toBe('');
  });
});

describe('event fields', () => {
  it('turns revenue in major units into minor units of a lower-case currency', () => {
    expect(RevenueSchema.parse({ currency: 'USD', amount: '19.99' })).toEqual({ currency: 'usd', amount: 1999 });
    expect(RevenueSchema.parse({ currency: 'eur', amount: 0.1 })).toEqual({ currency: 'eur', amount: 10 });
    expect(RevenueSchema.parse({ currency: 'JPY', amount: 1500 })).toEqual({ currency: 'jpy', amount: 1500 });
    expect(RevenueSchema.parse({ currency: 'KWD', amount: '1.234' })).toEqual({ currency: 'kwd', amount: 1234 });
  });

  it('refuses an unknown currency or an amount that is not a decimal', () => {
    for (const bad of [
      { currency: 'ZZZ', amount: 1 },
      { currency: 'US', amount: 1 },
      { currency: 'USD', amount: '1,5' },
      { currency: 'USD', amount: 'ten' },
      { currency: 'USD' },
      { currency: 'USD', amount: 1e300 },
    ]) {
      expect(RevenueSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('accepts string props within their limits and refuses the rest', () => {
    expect(PropsSchema.safeParse({ plan: 'pro', author: 'Ann' }).success).toBe(true);
    const wide = (ch: string) => Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, ch.repeat(2000)]));
    expect(PropsSchema.safeParse(wide('a')).success).toBe(false);
    expect(PropsSchema.safeParse(Object.fromEntries(Object.entries(wide('a')).slice(0, 15))).success).toBe(true);
    expect(PropsSchema.safeParse({ emoji: '😀'.repeat(1000) }).success).toBe(true);
    const many = Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`k${i}`, 'v']));
    for (const bad of [
      { n: 1 },
      { b: true },
      { o: {} },
      many,
      { ['k'.repeat(301)]: 'v' },
      { k: 'v'.repeat(2001) },
      { '': 'v' },
    ]) {
      expect(PropsSchema.safeParse(bad).success).toBe(false);
    }
  });
});
