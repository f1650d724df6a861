import type { TrackedEvent } from './tracked-event.js';

/**
 * The Analytics Engine columns of one event, fixed: the README's SQL API queries name them by position.
 * index1 = site id; blob1 name, blob2 pathname, blob3 source, blob4 country, blob5 device, blob6 browser, blob7 os,
 * blob8 referrer, blob9 utm_source, blob10 utm_medium, blob11 utm_campaign, blob12 visitor id, blob13 site-local
 * date; double1 = 1 (one event), double2 = revenue in minor units (0 when none), double3 = ts (epoch ms).
 */
export function enginePointOf(e: TrackedEvent): AnalyticsEngineDataPoint {
  return {
    indexes: [e.siteId],
    blobs: [
      e.name,
      e.pathname,
      e.source,
      e.country,
      e.device,
      e.browser,
      e.os,
      e.referrer,
      e.utmSource,
      e.utmMedium,
      e.utmCampaign,
      e.visitorId,
      e.date,
    ],
    doubles: [1, e.revenue ?? 0, e.ts],
  };
}

/**
 * Writes each event to Analytics Engine. Called only with the events a delivery newly stored, so a redelivered
 * batch writes no point twice; writeDataPoint never throws nor waits, so it cannot fail the batch.
 */
export function writeEnginePoints(dataset: AnalyticsEngineDataset, events: readonly TrackedEvent[]): void {
  for (const e of events) dataset.writeDataPoint(enginePointOf(e));
}
