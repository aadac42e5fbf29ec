import { signCheckpoint } from '../../src/features/tlog/checkpoint.js';
import { appendLeaves, type CompactRange, emptyCompactRange } from '../../src/features/tlog/compact-range.js';
import { emptyRoot, inThreadHasher, type NodeId } from '../../src/features/tlog/merkle.js';
import { generateSignerKey, type NoteSigner, parseSignerKey } from '../../src/features/tlog/note.js';
import { consistencyProof } from '../../src/features/tlog/proofs.js';

/**
 * A transparency log in memory, signed with a real key, for witness protocol tests that need
 * checkpoints and consistency proofs but not the registry around them.
 */
export interface MemoryLog {
  signer: NoteSigner;
  signerKey: string;
  size(): number;
  append(...entries: string[]): Promise<void>;
  /** The signed checkpoint of the current tree (or of `size`, one the log had). */
  checkpoint(size?: number): Promise<string>;
  consistency(from: number, to: number): Promise<Uint8Array[]>;
}

export async function memoryLog(origin: string, signerKey?: string): Promise<MemoryLog> {
  const key = signerKey ?? (await generateSignerKey(origin));
  const signer = await parseSignerKey(key);
  const stored = new Map<string, Uint8Array>();
  const roots = new Map<number, Uint8Array>([[0, emptyRoot()]]);
  let range: CompactRange = emptyCompactRange;
  const read = async (nodes: readonly NodeId[]) => nodes.map((n) => stored.get(`${n.level}:${n.index}`)!);
  return {
    signer,
    signerKey: key,
    size: () => range.size,
    async append(...entries) {
      const leaves = await Promise.all(entries.map((e) => inThreadHasher.hashLeaf(new TextEncoder().encode(e))));
      const result = await appendLeaves(range, leaves, inThreadHasher);
      for (const n of result.nodes) stored.set(`${n.level}:${n.index}`, n.hash);
      range = result.range;
      roots.set(range.size, result.rootHash);
    },
    checkpoint(size = range.size) {
      const rootHash = roots.get(size);
      if (!rootHash) throw new Error(`the log never had size ${size}`);
      return signCheckpoint({ origin, size, rootHash }, signer);
    },
    consistency: (from, to) =>
      from === 0 || from === to ? Promise.resolve([]) : consistencyProof(read, from, to, inThreadHasher),
  };
}
