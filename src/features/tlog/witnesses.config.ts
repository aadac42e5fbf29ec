import { z } from 'zod';
import { type CosignatureVerifier, parseCosignatureVerifierKey } from './cosignature.js';

const witnessEntry = z.object({
  /** The witness's submission prefix: the log POSTs to `<url>/add-checkpoint`. */
  url: z.string().url(),
  /** Its cosignature verifier key, `<name>+<id>+<base64(0x04 ‖ Ed25519 public key)>` (the witness's /vkey). */
  key: z.string().regex(/^[^+\s]+\+[0-9a-fA-F]{8}\+[A-Za-z0-9+/=]+$/, 'a witness key: <name>+<id>+<key>'),
});

/** The log's witness settings, merged into AppConfig (src/config.ts); README "Witnesses". */
export const witnessesConfigShape = {
  /**
   * The witnesses the log asks to cosign each checkpoint (C2SP tlog-witness), as JSON:
   * `[{"url":"https://witness.ipoffice.example","key":"witness.ipoffice.example/w1+…"}]`.
   */
  TLOG_WITNESSES: z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON array of {"url","key"}' });
        return z.NEVER;
      }
    })
    .pipe(z.array(witnessEntry))
    .optional(),
  /** Cosignatures a checkpoint needs to be served as witnessed; default all the witnesses. */
  TLOG_WITNESS_QUORUM: z.coerce.number().int().min(0).optional(),
  /** Seconds to wait for one witness's answer. */
  TLOG_WITNESS_TIMEOUT: z.coerce.number().positive().max(60).default(5),
  /** Requests to one witness per round before giving up until the next round. */
  TLOG_WITNESS_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
};

export interface LogWitness {
  readonly url: string;
  readonly verifier: CosignatureVerifier;
}

export interface LogWitnesses {
  readonly witnesses: readonly LogWitness[];
  readonly quorum: number;
  readonly timeoutMs: number;
  readonly attempts: number;
}

type WitnessSettings = {
  TLOG_WITNESSES?: { url: string; key: string }[] | undefined;
  TLOG_WITNESS_QUORUM?: number | undefined;
  TLOG_WITNESS_TIMEOUT: number;
  TLOG_WITNESS_ATTEMPTS: number;
};

const parsed = new WeakMap<object, Promise<LogWitnesses>>();

/** The configured witnesses with their keys parsed (once per config object). */
export function logWitnessesFromConfig(config: WitnessSettings): Promise<LogWitnesses> {
  let result = parsed.get(config);
  if (!result) {
    result = build(config);
    parsed.set(config, result);
  }
  return result;
}

async function build(config: WitnessSettings): Promise<LogWitnesses> {
  const entries = config.TLOG_WITNESSES ?? [];
  const witnesses: LogWitness[] = [];
  for (const entry of entries) {
    try {
      witnesses.push({ url: entry.url.replace(/\/+$/, ''), verifier: await parseCosignatureVerifierKey(entry.key) });
    } catch (err) {
      throw new Error(`invalid configuration:\n  TLOG_WITNESSES: ${entry.url}: ${(err as Error).message}`);
    }
  }
  const quorum = config.TLOG_WITNESS_QUORUM ?? witnesses.length;
  if (quorum > witnesses.length) {
    throw new Error(`invalid configuration:\n  TLOG_WITNESS_QUORUM: ${quorum} exceeds the ${witnesses.length} witnesses`);
  }
  return { witnesses, quorum, timeoutMs: config.TLOG_WITNESS_TIMEOUT * 1000, attempts: config.TLOG_WITNESS_ATTEMPTS };
}
