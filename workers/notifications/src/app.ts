import { createServiceApp } from '@onasis/http';
import type { AppEnv } from './context.js';

/** The notifications Worker's HTTP surface, served to the gateway through `NotificationsService.handle`. */
export const app = createServiceApp<AppEnv>('notifications', () => {});
