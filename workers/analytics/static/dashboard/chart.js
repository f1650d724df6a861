// The visitors/pageviews chart, drawn with uPlot (served from this origin: /dashboard/vendor/). The points it draws
// are also written on the container as `data-points`, so a script or a test can read the very figures shown.

/** Seconds since the epoch of a bucket label: `YYYY-MM-DD`, `YYYY-MM` or `YYYY-MM-DDTHH:00` (site-local, drawn as UTC). */
function bucketSeconds(date) {
  const [day, time] = date.split('T');
  const [y, m, d] = day.split('-').map(Number);
  const hour = time ? Number(time.slice(0, 2)) : 0;
  return Date.UTC(y, (m || 1) - 1, d || 1, hour) / 1000;
}

let plot;

/** Draws `points` ([{ date, visitors, pageviews }]) into `el`, replacing the previous chart. */
export function drawChart(el, points, interval) {
  el.dataset.points = JSON.stringify(points);
  el.dataset.interval = interval;
  const data = [
    points.map((p) => bucketSeconds(p.date)),
    points.map((p) => p.visitors),
    points.map((p) => p.pageviews),
  ];
  plot?.destroy();
  plot = undefined;
  const uPlot = globalThis.uPlot;
  if (!uPlot) return;
  const opts = {
    width: Math.max(el.clientWidth, 320),
    height: 260,
    // Buckets are site-local already: show them as they are, whatever the browser's zone.
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
    scales: { x: { time: true } },
    series: [
      {},
      { label: 'Visitors', stroke: '#4f46e5', fill: 'rgba(79,70,229,0.12)', width: 2 },
      { label: 'Pageviews', stroke: '#0ea5e9', width: 2 },
    ],
    axes: [{}, { size: 60 }],
  };
  plot = new uPlot(opts, data, el);
}

/** Keeps the chart as wide as its box. */
export function resizeChart(el) {
  plot?.setSize({ width: Math.max(el.clientWidth, 320), height: 260 });
}
