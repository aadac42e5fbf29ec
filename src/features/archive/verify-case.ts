/**
 * The case checks of the verifier: the archive is a case export, `case.json` is that case's record,
 * the case is in the log (a proven event names it), and what the record and manifest say is tied to
 * the log by hash — every evidence file's SHA-256 is named by a proven event (the complaint or
 * response that brought it), and every complaint's and response's statement hashes to the
 * `statementSha256` its proven event logged.
 */
import { sha256, toHex } from '../../crypto/bytes.js';
import { type Manifest, PATHS } from './manifest.js';

type Facts = Record<string, unknown>;

export async function verifyCase(
  record: Facts | undefined,
  manifest: Manifest,
  entries: Map<string, Facts>,
  expectKind: Manifest['kind'] | undefined,
): Promise<string[]> {
  const failures: string[] = [];
  if (expectKind && manifest.kind !== expectKind)
    failures.push(`${PATHS.manifest}: a ${manifest.kind} export, not a ${expectKind} export`);
  if (manifest.kind !== 'case') return failures;
  const caseId = manifest.case?.id;
  if (!caseId) return [...failures, `${PATHS.manifest}: a case export without its case id`];
  if (!record) return [...failures, `${PATHS.caseRecord}: missing or not JSON`];
  if (record.id !== caseId) failures.push(`${PATHS.caseRecord}: the record of ${String(record.id)}, not of case ${caseId}`);

  const proven = [...entries.values()];
  if (!proven.some((f) => f.caseId === caseId))
    failures.push(`${PATHS.manifest}: no proven event of case ${caseId} in the archive`);
  const loggedEvidence = new Set(proven.flatMap((f) => (Array.isArray(f.evidenceSha256) ? f.evidenceSha256 : [])));
  for (const e of manifest.evidence) {
    if (!loggedEvidence.has(e.sha256))
      failures.push(`${PATHS.evidence(e.sha256)}: no proven event of the case names this evidence`);
  }
  // Statements are kept out of the log; their hashes are in it.
  const statementHash = new Map<string, unknown>();
  for (const f of proven) {
    if (f.type === 'complaint.filed' && typeof f.complaintId === 'string') statementHash.set(f.complaintId, f.statementSha256);
    if (f.type === 'case.response_filed' && typeof f.responseId === 'string') statementHash.set(f.responseId, f.statementSha256);
  }
  for (const [list, what] of [
    [record.complaints, 'complaint'],
    [record.responses, 'response'],
  ] as const) {
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      failures.push(`${PATHS.caseRecord}: its ${what}s are not a list`);
      continue;
    }
    for (const item of list as Facts[]) {
      const logged = statementHash.get(String(item?.id));
      if (typeof item?.statement !== 'string' || logged !== toHex(await sha256(item.statement))) {
        failures.push(
          `${PATHS.caseRecord}: the statement of ${what} ${String(item?.id)} is not the one whose SHA-256 the log holds`,
        );
      }
    }
  }
  return failures;
}
