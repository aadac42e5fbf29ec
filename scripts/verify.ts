/**
 * The offline verifier, for anyone who wants to check the log without trusting its operator.
 *
 *   npm run verify -- <file.tlog-proof> --vkey <vkey or file> [--entry <file>]
 *                     [--witness <witness vkey or file>]… [--quorum <k>]
 *       A C2SP tlog-proof: the checkpoint is signed by the key and the entry is at its index
 *       under the checkpoint's root. The entry is the file given, else the proof's `extra` line.
 *       With --witness (repeated), the checkpoint must carry valid C2SP tlog-cosignatures from
 *       at least k of those witnesses (--quorum, default all of them).
 *
 *   npm run verify -- --log <base url> --vkey <vkey or file> [--state <file>] [--witness … --quorum k]
 *       The whole log over HTTP (C2SP tlog-tiles under <base url>/log): every entry re-hashed, every
 *       tile and the signed root rebuilt; with --state, consistency with the checkpoint saved there
 *       by the previous run is proven from the tiles, and the new checkpoint is saved.
 *
 *   npm run verify -- --archive <file.tar> [--vkey <vkey or file>] [--witness … --quorum k]
 *   npm run verify -- --case <file.tar> …
 *       A verifiable export (holdings, case): every byte of the tar, the manifest signed by the log
 *       key, each event's tlog-proof against the archived checkpoint, the holdings replayed from the
 *       proven histories, the evidence files' hashes; --case also requires a case export and its
 *       record. Without --vkey the key in the archive is used, and the verdict says so.
 *
 * Prints one line (an archive that fails: one line per failure); exit status 0 when verified, 1
 * when not (with the reason), 2 for bad usage.
 */
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { bytesEqual, toBase64 } from '../src/crypto/bytes.js';
import { archiveVerdictText } from '../src/features/archive/verdict-text.js';
import { parseCosignatureVerifierKey, requireQuorum, type WitnessPolicy } from '../src/features/tlog/cosignature.js';
import { auditLog } from '../src/features/tlog/log-audit.js';
import { parseVerifierKey } from '../src/features/tlog/note.js';
import { parseTlogProof, verifyTlogProof } from '../src/features/tlog/tlog-proof.js';

const USAGE = `usage: npm run verify -- <file.tlog-proof> --vkey <vkey|file> [--entry <file>] [--witness <vkey|file>]... [--quorum <k>]
       npm run verify -- --log <base-url> --vkey <vkey|file> [--state <file>]
       npm run verify -- --archive|--case <file.tar> [--vkey <vkey|file>] [--witness <vkey|file>]... [--quorum <k>]`;

class UsageError extends Error {}

async function main(): Promise<string> {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions();
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  const archive = values.archive ?? values.case;
  if (archive !== undefined) {
    if (values.archive !== undefined && values.case !== undefined) throw new UsageError('give --archive or --case, not both');
    if (positionals.length || values.log || values.entry)
      throw new UsageError('--archive and --case take no other file, --log or --entry');
    const verdict = await archiveVerdictText(new Uint8Array(await readFile(archive)), {
      ...(values.vkey ? { vkey: await keyOrFile(values.vkey) } : {}),
      witnesses: await witnessPolicy(values.witness ?? [], values.quorum),
      ...(values.case !== undefined ? { expectKind: 'case' as const } : {}),
    });
    if (!verdict.ok) throw new Error(verdict.text);
    return verdict.text;
  }
  if (!values.vkey) throw new UsageError('--vkey is required');
  const vkey = await keyOrFile(values.vkey);
  const verifier = await parseVerifierKey(vkey);
  const witnesses = await witnessPolicy(values.witness ?? [], values.quorum);

  if (values.log) {
    if (positionals.length) throw new UsageError('give either a proof file or --log, not both');
    const base = values.log.replace(/\/+$/, '');
    const prefix = /\/log$/.test(base) ? base : `${base}/log`;
    const previous = values.state && existsSync(values.state) ? await readFile(values.state, 'utf8') : undefined;
    const audit = await auditLog({ prefix, vkey, previous });
    const cosigned = witnesses ? await requireQuorum(audit.note, witnesses) : undefined;
    if (values.state) {
      await writeFile(`${values.state}.tmp`, audit.note);
      await rename(`${values.state}.tmp`, values.state);
    }
    const { size, rootHash } = audit.checkpoint;
    const consistency =
      audit.consistentWith === undefined
        ? values.state
          ? '; no saved checkpoint yet, saved this one'
          : ''
        : `; consistent with the saved checkpoint of size ${audit.consistentWith}`;
    const witnessed = cosigned ? `; cosigned by ${cosigned.map((c) => c.name).join(', ')}` : '';
    return `OK: log ${verifier.name} at size ${size}, root ${toBase64(rootHash)}: every entry re-hashed and ${audit.resources} tiles and bundles checked against the signed root${consistency}${witnessed}`;
  }

  if (positionals.length !== 1) throw new UsageError('give one .tlog-proof file');
  const text = await readFile(positionals[0]!, 'utf8');
  const extra = parseTlogProof(text).extra;
  const entry = values.entry ? new Uint8Array(await readFile(values.entry)) : extra;
  if (!entry) throw new UsageError('the proof carries no entry: give it with --entry <file>');
  const ok = await verifyTlogProof(text, verifier, { entry }, { origin: verifier.name, witnesses });
  const source = values.entry ? `entry ${values.entry}` : 'the entry in the proof';
  const differs = values.entry && extra && !bytesEqual(extra, entry) ? " (the proof's extra data differs and was ignored)" : '';
  const shown = summarise(entry);
  const cosigned = ok.cosignatures
    ? `, cosigned by ${ok.cosignatures.length} of ${witnesses!.witnesses.length} witnesses (${ok.cosignatures.map((c) => c.name).join(', ')}; quorum ${witnesses!.quorum})`
    : '';
  return `OK: ${source} is at index ${ok.index} of ${ok.checkpoint.origin}, tree size ${ok.checkpoint.size}, root ${toBase64(ok.checkpoint.rootHash)}, signed by ${verifier.name}+${verifier.keyId.toString(16).padStart(8, '0')}${cosigned}${differs}${shown}`;
}

function parseOptions() {
  return parseArgs({
    allowPositionals: true,
    options: {
      vkey: { type: 'string' },
      entry: { type: 'string' },
      log: { type: 'string' },
      state: { type: 'string' },
      witness: { type: 'string', multiple: true },
      quorum: { type: 'string' },
      archive: { type: 'string' },
      case: { type: 'string' },
    },
  });
}

async function keyOrFile(value: string): Promise<string> {
  return existsSync(value) ? (await readFile(value, 'utf8')).trim() : value.trim();
}

/** The verifier's witness policy: the witnesses it trusts and how many must have cosigned. */
async function witnessPolicy(keys: readonly string[], quorumText: string | undefined): Promise<WitnessPolicy | undefined> {
  if (keys.length === 0) {
    if (quorumText !== undefined) throw new UsageError('--quorum needs the witnesses, each with --witness <vkey>');
    return undefined;
  }
  const witnesses = await Promise.all(keys.map(async (k) => parseCosignatureVerifierKey(await keyOrFile(k))));
  const quorum = quorumText === undefined ? witnesses.length : Number(quorumText);
  if (!/^\d+$/.test(quorumText ?? '0') || quorum < 1 || quorum > witnesses.length) {
    throw new UsageError(`--quorum must be between 1 and the ${witnesses.length} witnesses given`);
  }
  return { witnesses, quorum };
}

/** The event's id and type, when the entry is one of ours, so the verdict says what was proven. */
function summarise(entry: Uint8Array): string {
  try {
    const event = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(entry));
    if (typeof event?.id === 'string' && typeof event?.type === 'string') return `: event ${event.id} (${event.type})`;
  } catch {}
  return '';
}

main().then(
  (verdict) => {
    console.log(verdict);
  },
  (err: Error) => {
    if (err instanceof UsageError) {
      console.error(`${err.message}\n${USAGE}`);
      process.exit(2);
    }
    console.error(`NOT VERIFIED: ${err.message}`);
    process.exit(1);
  },
);
