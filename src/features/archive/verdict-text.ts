/** The verifier's verdict on an archive as the command line prints it: one line, or one per failure. */
import { toBase64 } from '../../crypto/bytes.js';
import { type VerifyArchiveOptions, verifyArchive } from './verify-archive.js';

export async function archiveVerdictText(tar: Uint8Array, options: VerifyArchiveOptions): Promise<{ ok: boolean; text: string }> {
  const verdict = await verifyArchive(tar, options);
  if (verdict.failures.length > 0) {
    const n = verdict.failures.length;
    return { ok: false, text: `${n} check${n === 1 ? '' : 's'} failed:\n${verdict.failures.map((f) => `  ${f}`).join('\n')}` };
  }
  const m = verdict.manifest!;
  const cp = verdict.checkpoint!;
  const what =
    m.kind === 'holdings'
      ? `holdings export of ${plural(m.holdings?.length ?? 0, 'account')} (${plural(count(m.holdings, 'units'), 'unit')}, ${plural(count(m.holdings, 'works'), 'work')}, replayed from their proven histories)`
      : m.kind === 'case'
        ? `case export of ${m.case?.id}`
        : 'export';
  const evidence = m.evidence.length
    ? `; ${plural(m.evidence.length, 'evidence file')} by SHA-256 (${m.evidence.filter((e) => e.included).length} included and matching)`
    : '';
  const key =
    verdict.keySource === 'given'
      ? 'the key given'
      : 'the key inside the archive (log/vkey: compare it with the one the registry publishes, or pass --vkey)';
  return {
    ok: true,
    text: `OK: ${what}; ${plural(m.events.length, 'event')}, each proven by its tlog-proof under ${cp.origin} at tree size ${cp.size}, root ${toBase64(cp.rootHash)}${evidence}; manifest and checkpoint signed by ${key}`,
  };
}

function count(holdings: { units: unknown[]; works: unknown[] }[] | undefined, what: 'units' | 'works'): number {
  return (holdings ?? []).reduce((n, h) => n + h[what].length, 0);
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
