import { hex32 } from '../../features/tlog/note.js';
import { logWitnessesFromConfig } from '../../features/tlog/witnesses.config.js';

/**
 * The witness policy a certificate page checks cosignatures against, from the server's
 * TLOG_WITNESSES and TLOG_WITNESS_QUORUM: each witness's name, key ID and verifier key. The
 * browser verifies the cosignatures itself with these keys; the server vouches for nothing.
 */
export interface CertificateWitnesses {
  witnesses: { name: string; keyId: string; key: string }[];
  quorum: number;
}

export async function certificateWitnesses(config: Parameters<typeof logWitnessesFromConfig>[0]): Promise<CertificateWitnesses> {
  const { witnesses, quorum } = await logWitnessesFromConfig(config);
  return {
    witnesses: witnesses.map(({ verifier }) => ({
      name: verifier.name,
      keyId: hex32(verifier.keyId),
      key: verifier.verifierKey,
    })),
    quorum,
  };
}
