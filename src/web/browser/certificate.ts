/**
 * Certificate pages, in the browser: checks a log entry against the log's published key with the
 * very modules `npm run verify` uses (src/features/tlog), bundled for the browser by esbuild.
 *
 * Steps, each shown as it passes or fails: the log key (/log/vkey) parses; the latest checkpoint
 * (/log/checkpoint) carries a valid Ed25519 signature by it; the tlog-proof of the entry
 * (/v1/log/entries/<index>/tlog-proof) has a checkpoint signed by the same key, its audit path
 * puts the re-hashed entry under that checkpoint's root; and the entry is the event this
 * certificate is about (its id and facts). Then the witnesses' cosignatures on that checkpoint
 * (certificate-cosigners.ts).
 */
import { openCheckpoint } from '../../features/tlog/checkpoint.js';
import { parseVerifierKey } from '../../features/tlog/note.js';
import { TlogError } from '../../features/tlog/tlog-error.js';
import { parseTlogProof, verifyTlogProof } from '../../features/tlog/tlog-proof.js';
import { showCosigners, skipCosigners } from './certificate-cosigners.js';

interface VerifyStrings {
  running: string;
  verified: string;
  failed: string;
  steps: Record<'key' | 'checkpoint' | 'proof' | 'entry', string>;
}

const root = document.getElementById('verify');
if (root) void run(root);

async function run(root: HTMLElement) {
  const strings = JSON.parse(document.getElementById('verify-strings')?.textContent ?? '{}') as VerifyStrings;
  const index = Number(root.dataset.logIndex);
  const eventId = root.dataset.eventId ?? '';
  const expected = JSON.parse(root.dataset.expect ?? '{}') as Record<string, unknown>;
  const status = root.querySelector<HTMLElement>('[data-role=status]')!;
  const list = root.querySelector<HTMLElement>('[data-role=steps]')!;
  status.textContent = strings.running;
  root.dataset.state = 'running';

  const step = async <T>(name: keyof VerifyStrings['steps'], work: () => Promise<T>): Promise<T> => {
    const item = document.createElement('li');
    item.textContent = strings.steps[name];
    list.append(item);
    try {
      const value = await work();
      item.dataset.ok = 'true';
      item.prepend('✓ ');
      return value;
    } catch (err) {
      item.dataset.ok = 'false';
      item.prepend('✗ ');
      const reason = document.createElement('div');
      reason.className = 'reason';
      reason.textContent = describe(err);
      item.append(reason);
      throw new StepFailed(`${strings.steps[name]}: ${describe(err)}`);
    }
  };

  try {
    const vkeyText = await step('key', async () => {
      const text = (await fetchText('/log/vkey')).trim();
      await parseVerifierKey(text);
      return text;
    });
    await step('checkpoint', async () => openCheckpoint(await fetchText('/log/checkpoint'), vkeyText));
    const proofText = await fetchText(`/v1/log/entries/${index}/tlog-proof`);
    const proven = await step('proof', async () => {
      const extra = parseTlogProof(proofText).extra;
      if (!extra) throw new TlogError('malformed_proof', 'the proof carries no entry (extra line)');
      return { ...(await verifyTlogProof(proofText, vkeyText, { entry: extra })), entry: extra };
    });
    await step('entry', async () => {
      const entry = JSON.parse(new TextDecoder().decode(proven.entry)) as Record<string, unknown>;
      if (proven.index !== index) throw new Error(`the proof is for index ${proven.index}, not ${index}`);
      if (entry.id !== eventId) throw new Error(`the entry is event ${String(entry.id)}, not ${eventId}`);
      for (const [field, value] of Object.entries(expected)) {
        if (entry[field] !== value) throw new Error(`the entry's ${field} is ${String(entry[field])}, not ${String(value)}`);
      }
    });
    root.dataset.state = 'verified';
    status.textContent = strings.verified.replace('{size}', String(proven.checkpoint.size));
    await showCosigners(parseTlogProof(proofText).checkpoint, vkeyText);
  } catch (err) {
    if (root.dataset.state !== 'verified') {
      root.dataset.state = 'failed';
      status.textContent = `${strings.failed} ${describe(err)}`;
    }
    skipCosigners(root.dataset.state === 'verified' ? describe(err) : undefined);
  }
}

class StepFailed extends Error {}

async function fetchText(path: string): Promise<string> {
  const res = await fetch(path, { headers: { accept: 'text/plain, application/json' } });
  if (!res.ok) throw new Error(`${path} answered HTTP ${res.status}`);
  return res.text();
}

function describe(err: unknown): string {
  if (err instanceof StepFailed) return err.message;
  if (err instanceof TlogError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}
