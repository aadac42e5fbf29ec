/**
 * Issue 15: a log's origin and signing key belong to the database they sign. The first key to
 * start on a database claims it; any other key is refused — also one whose claim would continue a
 * log another key signed before the claim existed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { integrateLog } from '../../src/features/tlog/integrate.js';
import { checkLogIdentity, LogIdentityMismatch } from '../../src/features/tlog/log-identity.js';
import { generateSignerKey, parseSignerKey } from '../../src/features/tlog/note.js';
import { startTestApp, TEST_LOG_ORIGIN, type TestApp } from '../support/harness.js';
import { world } from '../support/world.js';

const signer = async (origin = TEST_LOG_ORIGIN) => parseSignerKey(await generateSignerKey(origin));

describe('the log identity', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t?.close());

  it('is claimed by the first key, kept for it, and refused to any other key or origin', async () => {
    const first = await signer();
    // Two starts at once with the same key: both pass, one of them claims.
    const both = await Promise.all([checkLogIdentity(t.deps.db, first), checkLogIdentity(t.deps.db, first)]);
    expect(both.map((r) => r.claimed).sort()).toEqual([false, true]);
    expect(await checkLogIdentity(t.deps.db, first)).toEqual({ claimed: false });

    for (const other of [await signer(), await signer('other.example/log')]) {
      const refused = checkLogIdentity(t.deps.db, other);
      await expect(refused).rejects.toBeInstanceOf(LogIdentityMismatch);
      await expect(refused).rejects.toThrow(`signed by ${first.verifierKey}`);
    }
    const row = await t.deps.db.selectFrom('log_identity').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      origin: TEST_LOG_ORIGIN,
      key_id: first.keyId.toString(16).padStart(8, '0'),
      verifier_key: first.verifierKey,
    });
  });
});

describe('a database signed before the claim existed', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ NOTICE_PERIOD: '0' });
  });
  afterAll(async () => t?.close());

  it('is claimed only by the key its latest checkpoint verifies under', async () => {
    const w = world(t);
    const p = await w.platform();
    await w.registeredAsset(p, await w.official(), await w.account(p));
    expect((await integrateLog(t.deps)).checkpoints).toBe(1);
    const stranger = await signer();
    await expect(checkLogIdentity(t.deps.db, stranger)).rejects.toThrow('its latest checkpoint does not verify under it');
    expect(await t.deps.db.selectFrom('log_identity').selectAll().execute()).toEqual([]);
    expect(await checkLogIdentity(t.deps.db, t.deps.tlogSigner!)).toEqual({ claimed: true });
  });
});
