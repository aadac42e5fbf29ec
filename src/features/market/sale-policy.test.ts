import { describe, expect, it } from 'vitest';
import { PRESETS } from '../editions/policy.js';
import { isResale, type SaleFacts, saleRefusal } from './sale-policy.js';

const now = new Date('2026-06-01T00:00:00Z');
const adult = { id: 'acc_A', kyc_level: 'verified' as const, is_adult: true };
const base = (over: Partial<SaleFacts> = {}): SaleFacts => ({
  policy: PRESETS.open_market,
  licenceTransferable: true,
  via: 'fixed',
  resale: true,
  unit: { acquired_via: 'trade', acquired_at: new Date(now.getTime() - 1000) },
  transfersInLastDay: 0,
  seller: adult,
  buyer: { ...adult, id: 'acc_B' },
  now,
  ...over,
});

describe('saleRefusal', () => {
  it('allows any sale under the open preset', () => {
    for (const via of ['fixed', 'english', 'dutch', 'sealed', 'offer'] as const) expect(saleRefusal(base({ via }))).toBeNull();
  });
  it('mainland: primary fixed-price sales only', () => {
    const mainland = { policy: PRESETS.mainland_collectible };
    expect(saleRefusal(base({ ...mainland, resale: false }))).toBeNull();
    expect(saleRefusal(base({ ...mainland, resale: false, via: 'dutch' }))?.rule).toBe('auctions_not_allowed');
    expect(saleRefusal(base({ ...mainland, resale: false, via: 'english' }))?.rule).toBe('auctions_not_allowed');
    expect(saleRefusal(base({ ...mainland }))?.rule).toBe('resale_not_allowed');
  });
  it('names the holding time and when it passes', () => {
    const policy = { ...PRESETS.open_market, resaleHoldSeconds: 3600, recipientHoldSeconds: 7200 };
    const acquired = new Date(now.getTime() - 60_000);
    const r = saleRefusal(base({ policy, unit: { acquired_via: 'trade', acquired_at: acquired } }));
    expect(r).toMatchObject({ rule: 'resale_holding_time', allowedAt: new Date(acquired.getTime() + 3600_000).toISOString() });
    expect(saleRefusal(base({ policy, unit: { acquired_via: 'gift', acquired_at: acquired } }))?.rule).toBe(
      'recipient_holding_time',
    );
    expect(saleRefusal(base({ policy, resale: false, unit: { acquired_via: 'mint', acquired_at: acquired } }))).toBeNull();
  });
  it('checks the licence, the daily limit and both parties', () => {
    expect(saleRefusal(base({ licenceTransferable: false }))?.rule).toBe('licence_not_transferable');
    expect(saleRefusal(base({ policy: { ...PRESETS.open_market, transfersPerDay: 2 }, transfersInLastDay: 2 }))?.rule).toBe(
      'daily_transfer_limit',
    );
    const strict = { ...PRESETS.open_market, realNameRequired: true, adultsOnly: true };
    const seller = saleRefusal(base({ policy: strict, seller: { id: 'acc_S', kyc_level: 'none', is_adult: true } }));
    expect(seller).toMatchObject({ rule: 'real_name_required' });
    expect(seller?.detail).toContain('seller');
    const buyer = saleRefusal(base({ policy: strict, buyer: { id: 'acc_M', kyc_level: 'basic', is_adult: false } }));
    expect(buyer).toMatchObject({ rule: 'adults_only' });
    expect(buyer?.detail).toContain('buyer');
  });
});

describe('isResale', () => {
  it('is primary only for the rights holder selling a unit that never left it', () => {
    expect(isResale('acc_R', 'acc_R', undefined)).toBe(false);
    expect(isResale('acc_R', 'acc_R', { acquired_via: 'mint' })).toBe(false);
    expect(isResale('acc_R', 'acc_R', { acquired_via: 'trade' })).toBe(true);
    expect(isResale('acc_X', 'acc_R', { acquired_via: 'mint' })).toBe(true);
  });
});
