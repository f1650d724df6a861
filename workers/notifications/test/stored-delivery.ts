import { env } from 'cloudflare:workers';
import { dbOf } from '../src/db/client.js';
import { type DeliveryRow, findDelivery } from '../src/services/deliveries.js';

/** A delivery row as stored, read the way the Worker reads it. */
export function storedDelivery(id: string): Promise<DeliveryRow | null> {
  return findDelivery(dbOf(env.DB), id);
}
