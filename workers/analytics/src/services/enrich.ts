import UAParser from 'ua-parser-js';
import { knownSourceOf } from './sources.js';

/** Longest pathname, referrer or query-parameter value kept; longer ones are cut. */
export const MAX_DIMENSION_CHARS = 2000;

/** What ingest knows of one event before enrichment. */
export interface RawHit {
  url: URL;
  referrer: string | null | undefined;
  userAgent: string;
  /** `request.cf.country`, if any. */
  country: string | undefined;
}

/** The dimensions of an event, as the `events` row stores them (`''` when unknown). */
export interface Dimensions {
  hostname: string;
  pathname: string;
  referrer: string;
  source: string;
  utmSource: string;
  utmMedium: string;
  utmCampaign: string;
  country: string;
  device: string;
  browser: string;
  os: string;
}

const cut = (s: string) => s.slice(0, MAX_DIMENSION_CHARS);
const withoutWww = (host: string) => (host.startsWith('www.') ? host.slice(4) : host);

/** `%`-decoded where that is valid UTF-8, as is otherwise (a stray `%` must not drop the event). */
function decoded(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function param(url: URL, ...names: string[]): string {
  for (const name of names) {
    const value = url.searchParams.get(name)?.trim();
    if (value) return cut(value);
  }
  return '';
}

/** Referrer host (without `www.`) and path, or null for none, an unparsable one, or a self-referral. */
function referrerOf(referrer: string | null | undefined, page: URL): { host: string; path: string } | null {
  if (!referrer) return null;
  let url: URL;
  try {
    url = new URL(referrer);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  const host = withoutWww(url.hostname);
  if (host === '' || host === withoutWww(page.hostname)) return null;
  const path = url.pathname === '/' ? '' : decoded(url.pathname);
  return { host, path };
}

function deviceOf(type: string | undefined, userAgent: string): string {
  if (type === 'mobile' || type === 'wearable') return 'mobile';
  if (type === 'tablet') return 'tablet';
  return userAgent === '' ? '' : 'desktop';
}

function countryOf(country: string | undefined): string {
  const code = country?.toUpperCase() ?? '';
  return /^[A-Z]{2}$/.test(code) && code !== 'XX' && code !== 'T1' ? code : '';
}

/**
 * The dimensions of one hit: page, referrer and its source, UTM parameters, device, browser, OS and country. Pure:
 * the same hit always gives the same dimensions. Query strings and fragments are never kept.
 */
export function enrich(hit: RawHit): Dimensions {
  const { url, userAgent } = hit;
  const referrer = referrerOf(hit.referrer, url);
  const tagged = param(url, 'utm_source', 'ref', 'source');
  const ua = new UAParser(userAgent).getResult();
  return {
    hostname: withoutWww(url.hostname),
    pathname: cut(decoded(url.pathname) || '/'),
    referrer: referrer ? cut(referrer.host + referrer.path) : '',
    source: tagged || (referrer ? (knownSourceOf(referrer.host) ?? referrer.host) : ''),
    utmSource: param(url, 'utm_source'),
    utmMedium: param(url, 'utm_medium'),
    utmCampaign: param(url, 'utm_campaign'),
    country: countryOf(hit.country),
    device: deviceOf(ua.device.type, userAgent),
    browser: ua.browser.name ?? '',
    os: ua.os.name ?? '',
  };
}
