import { readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fromBase64 } from '../../src/crypto/bytes.js';
import { inThreadHasher, webCryptoHasher } from '../../src/features/tlog/merkle.js';
import { verifyConsistency, verifyInclusion } from '../../src/features/tlog/verify.js';

// Vectors copied from transparency-dev/merkle (Apache-2.0, licence beside them) into the repository.
const VECTORS = fileURLToPath(new URL('./testdata/rfc6962/', import.meta.url));

function jsonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = `${dir}/${name}`;
    if (statSync(path).isDirectory()) return jsonFiles(path);
    return name.endsWith('.json') ? [path] : [];
  });
}

function load<T>(kind: string): { file: string; v: T }[] {
  return jsonFiles(`${VECTORS}${kind}`).map((file) => ({
    file: file.slice(VECTORS.length),
    v: JSON.parse(readFileSync(file, 'utf8')) as T,
  }));
}

interface InclusionVector {
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

interface ConsistencyVector {
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

const inclusion = load<InclusionVector>('inclusion');
const consistency = load<ConsistencyVector>('consistency');
const hashers = { webCrypto: webCryptoHasher, inThread: inThreadHasher };

describe('transparency-dev/merkle RFC 6962 vectors', () => {
  it('are present, with both verdicts represented', () => {
    expect(inclusion.length).toBeGreaterThan(50);
    expect(consistency.length).toBeGreaterThan(50);
    for (const set of [inclusion, consistency]) {
      expect(set.some(({ v }) => v.wantErr)).toBe(true);
      expect(set.some(({ v }) => !v.wantErr)).toBe(true);
    }
  });

  for (const [hasherName, hasher] of Object.entries(hashers)) {
    it(`inclusion: accepted exactly when wantErr is false (${hasherName})`, async () => {
      const wrong: string[] = [];
      for (const { file, v } of inclusion) {
        const ok = await verifyInclusion(
          v.leafIdx,
          v.treeSize,
          fromBase64(v.leafHash),
          (v.proof ?? []).map(fromBase64),
          fromBase64(v.root),
          hasher,
        );
        if (ok === v.wantErr) wrong.push(`${file} (${v.desc}): accepted=${ok}`);
      }
      expect(wrong).toEqual([]);
    });

    it(`consistency: accepted exactly when wantErr is false (${hasherName})`, async () => {
      const wrong: string[] = [];
      for (const { file, v } of consistency) {
        const ok = await verifyConsistency(
          v.size1,
          v.size2,
          (v.proof ?? []).map(fromBase64),
          fromBase64(v.root1),
          fromBase64(v.root2),
          hasher,
        );
        if (ok === v.wantErr) wrong.push(`${file} (${v.desc}): accepted=${ok}`);
      }
      expect(wrong).toEqual([]);
    });
  }
});
