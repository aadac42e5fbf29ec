/**
 * Why a signed note, checkpoint or offline proof was refused. The pure Merkle predicates in
 * verify.ts answer with booleans instead; these formats throw so that a caller can tell an
 * official *why* (wrong key, tampered text, entry not in the tree). Services map the code onto
 * an `AppError` (usually 422).
 */
export type TlogErrorCode =
  | 'malformed_key'
  | 'malformed_note'
  | 'unverified_note'
  | 'invalid_signature'
  | 'malformed_checkpoint'
  | 'origin_mismatch'
  | 'malformed_proof'
  | 'not_included'
  | 'witness_quorum_not_met';

export class TlogError extends Error {
  constructor(
    readonly code: TlogErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TlogError';
  }
}
