import type { MediaFormat, RefusalRule } from '../../src/features/media/media.types.js';

/**
 * A verdict, not a failure: the bytes are not acceptable (wrong format, unsafe to decode, a broken
 * model). The job finishes with the refusal recorded and is never retried; any other error is a
 * failure that is retried with backoff.
 */
export class MediaRefusal extends Error {
  constructor(
    readonly rule: RefusalRule,
    detail: string,
    readonly format: MediaFormat | null = null,
  ) {
    super(detail);
  }
}
