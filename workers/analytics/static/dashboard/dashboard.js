// The analytics dashboard (/dashboard): site and period pickers, cards, the chart, breakdowns, realtime visitors and
// the platform tab. Every figure comes from the public API; the page keeps none of its own. `main[data-state]` is
// `ready` once every figure of the current choice is shown (scripts and the browser test wait for it).
import { ApiError, getJson, goToSignIn } from './api.js';
import { drawChart, resizeChart } from './chart.js';
import { count, metric, money } from './format.js';

const PERIODS = ['day', '7d', '30d', 'month', '12mo'];
const CARD_METRICS = ['visitors', 'pageviews', 'bounce_rate', 'visit_duration'];
const BREAKDOWNS = {
  page: ['visitors', 'pageviews'],
  source: ['visitors'],
  country: ['visitors'],
  device: ['visitors'],
};
const REALTIME_MS = 30_000;

const $ = (selector) => document.querySelector(selector);
const main = $('#dashboard');
const siteSelect = $('#site');
const periodSelect = $('#period');
const chartEl = $('#chart');

/** The choice kept in the URL's hash: `#site=sit_…&period=7d&view=platform`. */
function readChoice() {
  const hash = new URLSearchParams(location.hash.slice(1));
  const period = hash.get('period');
  return {
    site: hash.get('site') ?? '',
    period: PERIODS.includes(period) ? period : '30d',
    view: hash.get('view') === 'platform' ? 'platform' : 'site',
  };
}

function writeChoice(choice) {
  const hash = new URLSearchParams({ site: choice.site, period: choice.period });
  if (choice.view === 'platform') hash.set('view', 'platform');
  history.replaceState(null, '', `#${hash}`);
}

function showMessage(text) {
  const el = $('#message');
  el.textContent = text;
  el.hidden = !text;
}

function setState(state) {
  main.dataset.state = state;
  main.setAttribute('aria-busy', String(state === 'loading'));
}

const intervalOf = (period) => (period === 'day' ? 'hour' : period === '12mo' ? 'month' : 'day');

function statsUrl(site, params) {
  return `/api/v1/analytics/sites/${encodeURIComponent(site)}/stats?${new URLSearchParams(params)}`;
}

function fillTable(dimension, rows) {
  const body = document.querySelector(`table[data-breakdown="${dimension}"] tbody`);
  const columns = BREAKDOWNS[dimension];
  body.replaceChildren(
    ...rows.map((row) => {
      const tr = document.createElement('tr');
      tr.dataset.value = row.value;
      const label = document.createElement('th');
      label.scope = 'row';
      label.textContent = row.value || (dimension === 'source' ? 'Direct / none' : '(unknown)');
      tr.append(label);
      for (const name of columns) {
        const td = document.createElement('td');
        td.dataset.metric = name;
        td.dataset.value = String(row[name]);
        td.textContent = count(row[name]);
        tr.append(td);
      }
      return tr;
    }),
  );
  if (rows.length === 0) {
    const tr = document.createElement('tr');
    const td = document.createElement('td');
    td.colSpan = columns.length + 1;
    td.className = 'empty';
    td.textContent = 'No data for this period';
    tr.append(td);
    body.append(tr);
  }
}

function fillCard(attribute, name, value, text) {
  // Table cells carry `data-metric` too: a card is never one of them.
  const el = document.querySelector(`:not(td)[${attribute}="${name}"]`);
  el.dataset.value = typeof value === 'object' ? JSON.stringify(value) : String(value);
  el.textContent = text;
}

let generation = 0;

/** Loads and shows every figure of the site view; a newer choice made meanwhile wins. */
async function loadSite(site, period) {
  const mine = ++generation;
  const interval = intervalOf(period);
  const [aggregate, series, ...breakdowns] = await Promise.all([
    getJson(statsUrl(site, { period, metrics: CARD_METRICS.join(',') })),
    getJson(statsUrl(site, { period, interval, metrics: 'visitors,pageviews' })),
    ...Object.entries(BREAKDOWNS).map(([dimension, metrics]) =>
      getJson(statsUrl(site, { period, dimension, metrics: metrics.join(','), limit: '10' })),
    ),
  ]);
  if (mine !== generation) return false;
  for (const name of CARD_METRICS)
    fillCard('data-metric', name, aggregate.data[name], metric(name, aggregate.data[name]));
  drawChart(chartEl, series.data, interval);
  for (const [i, dimension] of Object.keys(BREAKDOWNS).entries()) fillTable(dimension, breakdowns[i].data);
  return true;
}

async function loadPlatform(period) {
  const answer = await getJson(`/api/v1/analytics/platform?metrics=signups,active_users,revenue&period=${period}`);
  const { signups, active_users: active, revenue } = answer.data;
  fillCard('data-platform', 'signups', signups, count(signups));
  fillCard('data-platform', 'revenue', revenue, money(revenue));
  fillCard(
    'data-platform',
    'active_users',
    active,
    `${count(active.daily)} / ${count(active.weekly)} / ${count(active.monthly)}`,
  );
}

let realtimeTimer;

function pollRealtime(site) {
  clearInterval(realtimeTimer);
  const tick = () =>
    getJson(`/api/v1/analytics/sites/${encodeURIComponent(site)}/realtime`)
      .then(({ visitors }) => fillCard('data-metric', 'realtime', visitors, count(visitors)))
      .catch(() => fillCard('data-metric', 'realtime', '', '–'));
  realtimeTimer = setInterval(tick, REALTIME_MS);
  return tick();
}

let platformAllowed = false;
/** The caller's sites: a hash naming any other (typed or shared) falls back to the first of them. */
let siteIds = [];

async function render() {
  const choice = readChoice();
  if (!siteIds.includes(choice.site)) choice.site = siteIds[0] ?? '';
  writeChoice(choice);
  periodSelect.value = choice.period;
  siteSelect.value = choice.site;
  const onPlatform = choice.view === 'platform' && platformAllowed;
  $('#site-view').hidden = onPlatform;
  $('#platform-view').hidden = !onPlatform;
  $('#tab-site').setAttribute('aria-pressed', String(!onPlatform));
  $('#tab-platform').setAttribute('aria-pressed', String(onPlatform));
  siteSelect.disabled = onPlatform;
  setState('loading');
  main.dataset.period = choice.period;
  main.dataset.site = choice.site;
  try {
    if (onPlatform) await loadPlatform(choice.period);
    else if (choice.site) {
      const [shown] = await Promise.all([loadSite(choice.site, choice.period), pollRealtime(choice.site)]);
      if (!shown) return;
    }
    setState('ready');
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return goToSignIn();
    showMessage(`Could not load the figures: ${err.message}`);
    setState('error');
  }
}

async function listSites() {
  const sites = [];
  let cursor = '';
  do {
    const page = await getJson(`/api/v1/analytics/sites?limit=100${cursor && `&cursor=${encodeURIComponent(cursor)}`}`);
    sites.push(...page.data);
    cursor = page.nextCursor ?? '';
  } while (cursor && sites.length < 1000);
  return sites;
}

/** Whether the caller may see platform figures: the API answers 403 to everyone without `analytics:manage`. */
async function mayReadPlatform() {
  try {
    await getJson('/api/v1/analytics/platform?metrics=signups&period=day');
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.status === 403) return false;
    throw err;
  }
}

function change(update) {
  writeChoice({ ...readChoice(), ...update });
  void render();
}

async function start() {
  try {
    await getJson('/api/v1/users/me');
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return goToSignIn();
    throw err;
  }
  let sites;
  try {
    [sites, platformAllowed] = await Promise.all([listSites(), mayReadPlatform()]);
  } catch (err) {
    if (err instanceof ApiError && err.status === 403) {
      showMessage('Your account may not read analytics (it needs the analytics:read permission). Ask an admin.');
      setState('forbidden');
      return;
    }
    throw err;
  }
  $('#tab-platform').hidden = !platformAllowed;
  siteSelect.replaceChildren(
    ...sites.map((site) => {
      const option = document.createElement('option');
      option.value = site.id;
      option.textContent = `${site.name} (${site.domain})`;
      return option;
    }),
  );
  siteIds = sites.map((site) => site.id);
  if (sites.length === 0) showMessage('No sites yet: add one with POST /api/v1/analytics/sites.');
  siteSelect.addEventListener('change', () => change({ site: siteSelect.value }));
  periodSelect.addEventListener('change', () => change({ period: periodSelect.value }));
  $('#tab-site').addEventListener('click', () => change({ view: 'site' }));
  $('#tab-platform').addEventListener('click', () => change({ view: 'platform' }));
  $('#pickers').addEventListener('submit', (e) => e.preventDefault());
  window.addEventListener('hashchange', () => void render());
  window.addEventListener('resize', () => resizeChart(chartEl));
  await render();
}

start().catch((err) => {
  showMessage(`The dashboard could not start: ${err.message}`);
  setState('error');
});
