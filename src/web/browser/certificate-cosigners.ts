/**
 * Certificate pages, in the browser: who cosigned the checkpoint the certificate was verified
 * against. Every signature line on the proof's checkpoint other than the log's own is listed
 * with its name, key ID and timestamp, and checked as a C2SP tlog-cosignature (cosignature/v1)
 * with the witness keys the server is configured with — by the same module `npm run verify
 * --witness` uses. Configured witnesses without a line are listed too, and the quorum is met
 * when enough distinct configured witnesses cosigned validly.
 */
import { parseCosignatureVerifierKey } from '../../features/tlog/cosignature.js';
import { hex32, parseVerifierKey, splitNote } from '../../features/tlog/note.js';
import type { CertificateWitnesses } from '../certificates/certificate-witnesses.js';
import type { witnessesDict } from '../certificates/witnesses.dict.js';

type Strings = (typeof witnessesDict)['en'];

export interface CosignerRow {
  name: string;
  keyId: string;
  /** POSIX seconds from the cosignature, when the line has the cosignature/v1 shape. */
  timestamp: number | null;
  verdict: 'valid' | 'invalid' | 'unknown' | 'missing';
}

/** The rows of the table and the count of distinct configured witnesses that cosigned validly. */
export async function cosignerRows(
  note: string,
  logVkey: string,
  policy: CertificateWitnesses,
): Promise<{ rows: CosignerRow[]; valid: number }> {
  const log = await parseVerifierKey(logVkey);
  const configured = await Promise.all(policy.witnesses.map((w) => parseCosignatureVerifierKey(w.key)));
  const { text, signatures } = splitNote(note);
  const rows: CosignerRow[] = [];
  const validKeys = new Set<string>();
  const seenKeys = new Set<string>();
  for (const { name, keyId, blob } of signatures) {
    if (name === log.name && keyId === log.keyId) continue;
    const timestamp = blob.length === 4 + 8 + 64 ? readTimestamp(blob) : null;
    const witness = configured.find((w) => w.name === name && w.keyId === keyId);
    let verdict: CosignerRow['verdict'] = 'unknown';
    if (witness) {
      seenKeys.add(witness.verifierKey);
      const at = await witness.verify(text, blob);
      verdict = at === null ? 'invalid' : 'valid';
      if (at !== null) validKeys.add(witness.verifierKey);
    }
    rows.push({ name, keyId: hex32(keyId), timestamp, verdict });
  }
  for (const w of configured) {
    if (!seenKeys.has(w.verifierKey)) rows.push({ name: w.name, keyId: hex32(w.keyId), timestamp: null, verdict: 'missing' });
  }
  return { rows, valid: validKeys.size };
}

/** Fills the witness panel (witnesses-panel.tsx) for the proof's checkpoint `note`. */
export async function showCosigners(note: string, logVkey: string): Promise<void> {
  const root = document.getElementById('witnesses');
  const data = document.getElementById('witnesses-data');
  if (!root || !data) return;
  const { policy, strings } = JSON.parse(data.textContent ?? '{}') as { policy: CertificateWitnesses; strings: Strings };
  const { rows, valid } = await cosignerRows(note, logVkey, policy);
  const table = root.querySelector<HTMLTableElement>('[data-role=cosigners]')!;
  const body = table.querySelector('tbody')!;
  body.replaceChildren(
    ...rows.map((row) => {
      const tr = document.createElement('tr');
      tr.dataset.verdict = row.verdict;
      const cells = [row.name, row.keyId, row.timestamp === null ? '–' : formatTimestamp(row.timestamp), strings[row.verdict]];
      for (const [i, value] of cells.entries()) {
        const td = document.createElement('td');
        td.textContent = value;
        if (i < 2) td.className = 'mono';
        tr.append(td);
      }
      return tr;
    }),
  );
  table.hidden = rows.length === 0;
  const status = root.querySelector<HTMLElement>('[data-role=status]')!;
  if (policy.witnesses.length === 0) {
    root.dataset.state = 'none';
    status.textContent = strings.noPolicy;
    return;
  }
  const met = valid >= policy.quorum;
  root.dataset.state = met ? 'verified' : 'failed';
  root.dataset.quorum = met ? 'met' : 'not-met';
  status.textContent = (met ? strings.met : strings.notMet)
    .replace('{valid}', String(valid))
    .replace('{quorum}', String(policy.quorum))
    .replace('{total}', String(policy.witnesses.length));
}

/**
 * The inclusion proof failed (the checkpoint's cosignatures say nothing about this entry), or,
 * with `reason`, the cosignatures could not be checked.
 */
export function skipCosigners(reason?: string): void {
  const root = document.getElementById('witnesses');
  const data = document.getElementById('witnesses-data');
  if (!root || !data) return;
  const { strings } = JSON.parse(data.textContent ?? '{}') as { strings: Strings };
  root.dataset.state = reason === undefined ? 'skipped' : 'failed';
  root.querySelector<HTMLElement>('[data-role=status]')!.textContent = reason ?? strings.skipped;
}

function readTimestamp(blob: Uint8Array): number | null {
  const value = new DataView(blob.buffer, blob.byteOffset, blob.byteLength).getBigUint64(4);
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : null;
}

/** Seconds, as the pages show times elsewhere but to the second: cosignature times are exact. */
function formatTimestamp(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
