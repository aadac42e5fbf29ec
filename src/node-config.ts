import { z } from 'zod';

/** What only the Node entry reads: where things live and which services replace the embedded ones. */
const nodeConfigSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(8787),
    HOST: z.string().default('127.0.0.1'),
    DATA_DIR: z.string().default('./data'),
    DATABASE_URL: z.string().url().optional(),
    S3_ENDPOINT: z.string().url().optional(),
    S3_BUCKET: z.string().default('haipai'),
    S3_REGION: z.string().default('auto'),
    S3_ACCESS_KEY_ID: z.string().optional(),
    S3_SECRET_ACCESS_KEY: z.string().optional(),
    /** Seconds between runs of each scheduled loop: market and log work, and webhook delivery (node-scheduler.ts). */
    SCHEDULE_INTERVAL: z.coerce.number().positive().default(1),
    /**
     * Seconds a stop signal waits for requests in flight and background work to finish before the
     * process exits anyway, non-zero (node-shutdown.ts).
     */
    SHUTDOWN_TIMEOUT: z.coerce.number().positive().default(10),
    /**
     * Where near-duplicate searches look (features/media/similarity-memory.ts): `memory`, an index
     * this process loads from media_hashes at start (about 110 MB per million hashes, two per image) and brings up
     * to date before each search; `database`, the band indexes in the database.
     */
    SIMILARITY_INDEX: z.enum(['memory', 'database']).default('memory'),
    /** Integrate the transparency log right after each write ("false" leaves it to the interval). */
    TLOG_INTEGRATE_AFTER_WRITE: z
      .enum(['true', 'false'])
      .default('true')
      .transform((v) => v === 'true'),
  })
  .refine((c) => !c.S3_ENDPOINT || (c.S3_ACCESS_KEY_ID && c.S3_SECRET_ACCESS_KEY), {
    message: 'S3_ENDPOINT needs S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY',
  });

export type NodeConfig = z.infer<typeof nodeConfigSchema>;

export function parseNodeConfig(env: Record<string, string | undefined>): NodeConfig {
  const parsed = nodeConfigSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      `invalid configuration:\n${parsed.error.issues.map((i) => `  ${i.path.join('.') || '(config)'}: ${i.message}`).join('\n')}`,
    );
  }
  return parsed.data;
}
