import { expect } from 'vitest';
import { OPERATOR_KEY, type TestApp } from './harness.js';

/** Builders that drive the API the way a platform and an official would. */
export function world(t: TestApp) {
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are inspected field by field
  const ok = <T = any>(res: { status: number; body: T }, status: number): T => {
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    return res.body;
  };

  async function platform(name = 'Platform') {
    const body = ok(await t.call('POST', '/v1/platforms', { key: OPERATOR_KEY, body: { name, feeBps: 500 } }), 201);
    return { id: body.platform.id as string, key: body.apiKey.secret as string };
  }

  async function official(name = 'Officer Wang') {
    const body = ok(
      await t.call('POST', '/v1/officials', { key: OPERATOR_KEY, body: { name, office: 'Shanghai IP Office' } }),
      201,
    );
    return { id: body.official.id as string, key: body.apiKey.secret as string };
  }

  async function account(p: { key: string }, opts: { attested?: boolean; adult?: boolean; name?: string } = {}) {
    const acc = ok(
      await t.call('POST', '/v1/accounts', { key: p.key, body: { kind: 'person', displayName: opts.name ?? 'Someone' } }),
      201,
    );
    if (opts.attested ?? true) {
      ok(
        await t.call('POST', `/v1/accounts/${acc.id}/attestations`, {
          key: p.key,
          body: { kycLevel: 'verified', isAdult: opts.adult ?? true, method: 'id_card_face_match' },
        }),
        201,
      );
    }
    return acc.id as string;
  }

  function assetBody(rightsHolderId: string, over: Record<string, unknown> = {}) {
    return {
      kind: 'garment',
      title: 'Qipao of Light',
      category: 'digital_creative',
      rightsHolderId,
      creators: [{ accountId: rightsHolderId, role: 'designer', shareBps: 10000 }],
      claimedCreatedOn: '2026-03-01',
      originalityStatement: 'Designed from scratch in 2026.',
      licence: { commercialUse: 'personal', derivativesAllowed: true, derivativeRoyaltyBps: 1000 },
      ...over,
    };
  }

  /** Draft → submitted → in_review → approved; registered at once when NOTICE_PERIOD is 0. */
  async function registeredAsset(
    p: { key: string },
    off: { key: string },
    rightsHolderId: string,
    over: Record<string, unknown> = {},
  ) {
    const asset = ok(await t.call('POST', '/v1/assets', { key: p.key, body: assetBody(rightsHolderId, over) }), 201);
    ok(await t.call('POST', `/v1/assets/${asset.id}/submit`, { key: p.key }), 200);
    ok(await t.call('POST', `/v1/assets/${asset.id}/review`, { key: off.key, body: { action: 'start' } }), 200);
    const approved = ok(
      await t.call('POST', `/v1/assets/${asset.id}/review`, { key: off.key, body: { action: 'approve' } }),
      200,
    );
    return approved;
  }

  async function edition(
    p: { key: string },
    assetId: string,
    size: number,
    preset = 'open_market',
    policy?: Record<string, unknown>,
  ) {
    return ok(await t.call('POST', `/v1/assets/${assetId}/editions`, { key: p.key, body: { size, preset, policy } }), 201);
  }

  async function mint(p: { key: string }, editionId: string, count = 1, toAccountId?: string) {
    return ok(await t.call('POST', `/v1/editions/${editionId}/mint`, { key: p.key, body: { count, toAccountId } }), 201);
  }

  return { ok, platform, official, account, assetBody, registeredAsset, edition, mint };
}
