import { createServiceApp } from '@onasis/http';
import type { AppEnv } from './context.js';

/** The payments Worker's HTTP surface, served to the gateway through `PaymentsService.handle`. */
export const app = createServiceApp<AppEnv>('payments', {});
