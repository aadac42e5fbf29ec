import type { AppConfig } from '../../config.js';
import { type NoteSigner, parseSignerKey } from './note.js';

/** Origin of a log whose configuration names none (a generated key is named after it). */
export const DEFAULT_TLOG_ORIGIN = 'haipai.example/log';

/**
 * The checkpoint signer from TLOG_SIGNING_KEY, or undefined when it is unset. The key name is
 * the checkpoint origin (C2SP tlog-checkpoint: the log's URL without scheme), so a TLOG_ORIGIN
 * that disagrees with it is a configuration error rather than a silent choice of one.
 */
export async function tlogSignerFromConfig(config: Pick<AppConfig, 'TLOG_SIGNING_KEY' | 'TLOG_ORIGIN'>) {
  if (!config.TLOG_SIGNING_KEY) return undefined;
  let signer: NoteSigner;
  try {
    signer = await parseSignerKey(config.TLOG_SIGNING_KEY);
  } catch (err) {
    // Never echo the key: the message says what is wrong, not what it was.
    throw new Error(`invalid configuration:\n  TLOG_SIGNING_KEY: ${(err as Error).message}`);
  }
  if (config.TLOG_ORIGIN && config.TLOG_ORIGIN !== signer.name) {
    throw new Error(
      `invalid configuration:\n  TLOG_ORIGIN: ${config.TLOG_ORIGIN} differs from the signing key's name ${signer.name}`,
    );
  }
  return signer;
}
