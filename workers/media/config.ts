import { z } from 'zod';

const seconds = (dflt: number) => z.coerce.number().positive().default(dflt);

/**
 * The media worker's settings (environment variables; README "Configuration"). The API's own
 * media settings (MEDIA_NEAR_DUPLICATE_THRESHOLD, MEDIA_SUBMIT_WAIT) are in AppConfig.
 */
export const mediaWorkerConfigSchema = z.object({
  /** `npm start` runs a media worker in its own process unless this is `off` (run `npm run media` instead). */
  MEDIA_WORKER: z.enum(['on', 'off']).default('on'),
  /** Largest image accepted, in pixels (width × height from the header, checked before decoding). */
  MEDIA_MAX_PIXELS: z.coerce.number().int().positive().default(50_000_000),
  /** Attempts before a failing job is dead-lettered. */
  MEDIA_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
  /** Backoff after the first failed attempt, in seconds; doubles with each attempt, up to MEDIA_RETRY_MAX. */
  MEDIA_RETRY_BASE: seconds(5),
  MEDIA_RETRY_MAX: seconds(600),
  /** A job not finished this many seconds after its claim is taken over by another worker. */
  MEDIA_JOB_LEASE: seconds(120),
  /** Seconds between polls of the queue when it is empty. */
  MEDIA_POLL_INTERVAL: seconds(1),
  /** Jobs one worker process runs at once. */
  MEDIA_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(2),
});

export type MediaWorkerConfig = z.infer<typeof mediaWorkerConfigSchema>;

export function parseMediaWorkerConfig(env: Record<string, string | undefined>): MediaWorkerConfig {
  const parsed = mediaWorkerConfigSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      `invalid configuration:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`,
    );
  }
  return parsed.data;
}
