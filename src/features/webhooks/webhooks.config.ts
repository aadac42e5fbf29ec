import { z } from 'zod';
import type { AppConfig } from '../../config.js';

/** Settings of platform webhooks, spread into AppConfig (src/config.ts). */
export const webhooksConfigShape = {
  /**
   * Local development and tests only: accept http:// endpoint URLs and hosts that are, or resolve
   * to, private, loopback or link-local addresses. Never in production.
   */
  WEBHOOK_ALLOW_HTTP_LOCAL: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** Seconds one delivery attempt may take (connect, send, response status) before it fails. */
  WEBHOOK_ATTEMPT_TIMEOUT: z.coerce.number().int().min(1).max(60).default(15),
};

export interface WebhookSettings {
  allowHttpLocal: boolean;
  attemptTimeoutMs: number;
}

export function webhookSettings(config: AppConfig): WebhookSettings {
  return {
    allowHttpLocal: config.WEBHOOK_ALLOW_HTTP_LOCAL,
    attemptTimeoutMs: config.WEBHOOK_ATTEMPT_TIMEOUT * 1000,
  };
}
