import { z } from 'zod';
import type { AppConfig } from '../../config.js';

/**
 * Settings of platform webhooks. The shape is ready to be spread into AppConfig (src/config.ts),
 * as media's is; until then the Node entry merges `parseWebhooksConfig(env)` into its config, so
 * on Workers the defaults apply (https only, public addresses only), which is what production wants.
 */
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

const webhooksConfigSchema = z.object(webhooksConfigShape);
export type WebhooksConfig = z.infer<typeof webhooksConfigSchema>;

export function parseWebhooksConfig(env: Record<string, string | undefined>): WebhooksConfig {
  const parsed = webhooksConfigSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      `invalid configuration:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`,
    );
  }
  return parsed.data;
}

export interface WebhookSettings {
  allowHttpLocal: boolean;
  attemptTimeoutMs: number;
}

/** The settings in `config`, or their defaults where it has none. */
export function webhookSettings(config: AppConfig & Partial<WebhooksConfig>): WebhookSettings {
  return {
    allowHttpLocal: config.WEBHOOK_ALLOW_HTTP_LOCAL ?? false,
    attemptTimeoutMs: (config.WEBHOOK_ATTEMPT_TIMEOUT ?? 15) * 1000,
  };
}
