/**
 * Entry bundles of C2SP tlog-tiles ("Log entries"): the entries of one level-0 tile, each
 * prefixed by its length as a big-endian uint16. So an entry can be at most 65,535 bytes —
 * one byte short of the 64 KiB the design allows; the integrator must refuse longer entries.
 */
export const MAX_ENTRY_SIZE = 0xffff;

export function encodeEntryBundle(entries: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const entry of entries) {
    if (entry.length > MAX_ENTRY_SIZE)
      throw new RangeError(`a log entry is at most ${MAX_ENTRY_SIZE} bytes, got ${entry.length}`);
    length += 2 + entry.length;
  }
  const out = new Uint8Array(length);
  let offset = 0;
  for (const entry of entries) {
    out[offset] = entry.length >>> 8;
    out[offset + 1] = entry.length & 0xff;
    out.set(entry, offset + 2);
    offset += 2 + entry.length;
  }
  return out;
}

/** Splits a bundle into its entries; throws on a truncated bundle. */
export function decodeEntryBundle(bundle: Uint8Array): Uint8Array[] {
  const entries: Uint8Array[] = [];
  let offset = 0;
  while (offset < bundle.length) {
    if (offset + 2 > bundle.length) throw new RangeError('entry bundle ends inside a length prefix');
    const length = (bundle[offset]! << 8) | bundle[offset + 1]!;
    const end = offset + 2 + length;
    if (end > bundle.length) throw new RangeError('entry bundle ends inside an entry');
    entries.push(bundle.slice(offset + 2, end));
    offset = end;
  }
  return entries;
}
