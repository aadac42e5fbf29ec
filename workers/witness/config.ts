import { z } from 'zod';

/**
 * The witness's settings (environment variables; README "Witnesses"). A witness is its own
 * process with its own database: it shares nothing with the log it watches but the log's key.
 */
export const witnessConfigSchema = z.object({
  /**
   * The logs this witness cosigns: their checkpoint verifier keys (`<origin>+<id>+<key>`, as
   * served at /log/vkey), separated by commas or white space. The key name is the log's origin.
   */
  WITNESS_LOG_KEYS: z
    .string()
    .transform((v) => v.split(/[\s,]+/).filter(Boolean))
    .pipe(z.array(z.string()).min(1, 'name at least one log verifier key')),
  /**
   * The cosigning key, `PRIVATE+KEY+<name>+<id>+<base64(0x04 ‖ seed)>` (a secret). When unset, one
   * named WITNESS_NAME is made once and kept under WITNESS_DATA_DIR.
   */
  WITNESS_SIGNING_KEY: z.string().optional(),
  /** The witness's name for a generated key: a schema-less URL, e.g. witness.ipoffice.example/w1. */
  WITNESS_NAME: z
    .string()
    .regex(/^[^+\s]+$/, 'one word without spaces or "+"')
    .default('witness.haipai.example'),
  /** PostgreSQL for the witness's state; default PGlite on disk under WITNESS_DATA_DIR. */
  WITNESS_DATABASE_URL: z.string().url().optional(),
  WITNESS_DATA_DIR: z.string().default('.data/witness'),
  WITNESS_PORT: z.coerce.number().int().min(0).max(65535).default(8081),
  WITNESS_HOST: z.string().default('127.0.0.1'),
});

export type WitnessConfig = z.infer<typeof witnessConfigSchema>;

export function parseWitnessConfig(env: Record<string, string | undefined>): WitnessConfig {
  const parsed = witnessConfigSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      `invalid configuration:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`,
    );
  }
  return parsed.data;
}
