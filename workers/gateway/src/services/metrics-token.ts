/** Who may read the platform's internals (`/metrics`, `/health` detail). */
type MetricsAccess = 'granted' | 'wrong_token' | 'disabled';

async function sameSecret(a: string, b: string): Promise<boolean> {
  const enc = new TextEncoder();
  const [ha, hb] = await Promise.all([
    crypto.subtle.digest('SHA-256', enc.encode(a)),
    crypto.subtle.digest('SHA-256', enc.encode(b)),
  ]);
  return crypto.subtle.timingSafeEqual(ha, hb);
}

/**
 * Whether `authorization` carries the metrics token: `Bearer <METRICS_TOKEN>` when that secret is set; without it,
 * anyone locally and no one elsewhere (`disabled`).
 */
export async function metricsAccess(
  env: Pick<GatewayEnv, 'METRICS_TOKEN' | 'ENVIRONMENT'>,
  authorization: string | undefined,
): Promise<MetricsAccess> {
  const token = env.METRICS_TOKEN;
  if (!token) return env.ENVIRONMENT === 'local' ? 'granted' : 'disabled';
  const given = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1] ?? '';
  return (await sameSecret(given, token)) ? 'granted' : 'wrong_token';
}
