/** The log's side of C2SP tlog-witness add-checkpoint: one HTTP request to one witness. */
import { type AddCheckpointRequest, formatAddCheckpoint, parseTlogSize } from './add-checkpoint.js';

export type WitnessAnswer =
  /** 200: the witness's cosignature line(s). */
  | { readonly kind: 'cosigned'; readonly lines: string }
  /** 409 text/x.tlog.size: the witness's latest size for this log differs from the old size sent. */
  | { readonly kind: 'stale'; readonly size: number }
  /** Any other 4xx: the witness refuses this checkpoint; resending it will not help. */
  | { readonly kind: 'refused'; readonly status: number; readonly detail: string };

/** A failure worth retrying: the network, a timeout, or a 5xx. */
export class WitnessUnavailable extends Error {
  override name = 'WitnessUnavailable';
}

export async function postCheckpoint(
  url: string,
  request: AddCheckpointRequest,
  options: { timeoutMs: number; fetch?: typeof fetch },
): Promise<WitnessAnswer> {
  let res: Response;
  let text: string;
  try {
    res = await (options.fetch ?? fetch)(`${url}/add-checkpoint`, {
      method: 'POST',
      body: formatAddCheckpoint(request),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    text = await res.text();
  } catch (err) {
    throw new WitnessUnavailable(`${url}: ${(err as Error).message}`);
  }
  if (res.status >= 500) throw new WitnessUnavailable(`${url}: HTTP ${res.status}`);
  if (res.status === 200) return { kind: 'cosigned', lines: text };
  if (res.status === 409 && res.headers.get('content-type')?.split(';')[0]?.trim() === 'text/x.tlog.size') {
    const size = parseTlogSize(text);
    if (size !== null) return { kind: 'stale', size };
  }
  return { kind: 'refused', status: res.status, detail: text.slice(0, 500) };
}
