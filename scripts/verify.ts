/**
 * The offline verifier, for anyone who wants to check the log without trusting its operator.
 *
 *   npm run verify -- <file.tlog-proof> --vkey <vkey or file> [--entry <file>]
 *       A C2SP tlog-proof: the checkpoint is signed by the key and the entry is at its index
 *       under the checkpoint's root. The entry is the file given, else the proof's `extra` line.
 *
 *   npm run verify -- --log <base url> --vkey <vkey or file> [--state <file>]
 *       The whole log over HTTP (C2SP tlog-tiles under <base url>/log): every entry re-hashed, every
 *       tile and the signed root rebuilt; with --state, consistency with the checkpoint saved there
 *       by the previous run is proven from the tiles, and the new checkpoint is saved.
 *
 * Prints one line; exit status 0 when verified, 1 when not (with the reason), 2 for bad usage.
 */
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { bytesEqual, toBase64 } from '../src/crypto/bytes.js';
import { auditLog } from '../src/features/tlog/log-audit.js';
import { parseVerifierKey } from '../src/features/tlog/note.js';
import { parseTlogProof, verifyTlogProof } from '../src/features/tlog/tlog-proof.js';

const USAGE = `usage: npm run verify -- <file.tlog-proof> --vkey <vkey|file> [--entry <file>]
       npm run verify -- --log <base-url> --vkey <vkey|file> [--state <file>]`;

class UsageError extends Error {}

async function main(): Promise<string> {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions();
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (!values.vkey) throw new UsageError('--vkey is required');
  const vkey = existsSync(values.vkey) ? (await readFile(values.vkey, 'utf8')).trim() : values.vkey.trim();
  const verifier = await parseVerifierKey(vkey);

  if (values.log) {
    if (positionals.length) throw new UsageError('give either a proof file or --log, not both');
    const base = values.log.replace(/\/+$/, '');
    const prefix = /\/log$/.test(base) ? base : `${base}/log`;
    const previous = values.state && existsSync(values.state) ? await readFile(values.state, 'utf8') : undefined;
    const audit = await auditLog({ prefix, vkey, previous });
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
    return `OK: log ${verifier.name} at size ${size}, root ${toBase64(rootHash)}: every entry re-hashed and ${audit.resources} tiles and bundles checked against the signed root${consistency}`;
  }

  if (positionals.length !== 1) throw new UsageError('give one .tlog-proof file');
  const text = await readFile(positionals[0]!, 'utf8');
  const extra = parseTlogProof(text).extra;
  const entry = values.entry ? new Uint8Array(await readFile(values.entry)) : extra;
  if (!entry) throw new UsageError('the proof carries no entry: give it with --entry <file>');
  const ok = await verifyTlogProof(text, verifier, { entry }, { origin: verifier.name });
  const source = values.entry ? `entry ${values.entry}` : 'the entry in the proof';
  const differs = values.entry && extra && !bytesEqual(extra, entry) ? " (the proof's extra data differs and was ignored)" : '';
  const shown = summarise(entry);
  return `OK: ${source} is at index ${ok.index} of ${ok.checkpoint.origin}, tree size ${ok.checkpoint.size}, root ${toBase64(ok.checkpoint.rootHash)}, signed by ${verifier.name}+${verifier.keyId.toString(16).padStart(8, '0')}${differs}${shown}`;
}

function parseOptions() {
  return parseArgs({
    allowPositionals: true,
    options: {
      vkey: { type: 'string' },
      entry: { type: 'string' },
      log: { type: 'string' },
      state: { type: 'string' },
    },
  });
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
