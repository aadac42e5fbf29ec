import { describe, expect, it } from 'vitest';
import { type GiftFacts, giftRefusal, PRESETS } from './policy.js';

const now = new Date('2026-06-01T00:00:00Z');
const adult = { id: 'acc_A', kyc_level: 'verified' as const, is_adult: true };
const base = (over: Partial<GiftFacts> = {}): GiftFacts => ({
  policy: PRESETS.mainland_collectible,
  licenceTransferable: true,
  unit: { acquired_via: 'mint', acquired_at: new Date(now.getTime() - 181 * 86400_000) },
  sender: adult,
  recipient: { ...adult, id: 'acc_B' },
  transfersInLastDay: 0,
  now,
  ...over,
});

describe('giftRefusal', () => {
  it('allows a mainland gift after 180 days between attested adults', () => {
    expect(giftRefusal(base())).toBeNull();
  });
  it('names the holding-time rule and when it passes', () => {
    const acquired = new Date(now.getTime() - 10 * 86400_000);
    const r = giftRefusal(base({ unit: { acquired_via: 'mint', acquired_at: acquired } }));
    expect(r?.rule).toBe('gift_holding_time');
    expect(r?.allowedAt).toBe(new Date(acquired.getTime() + 180 * 86400_000).toISOString());
  });
  it('applies the recipient holding time to a unit received as a gift', () => {
    const r = giftRefusal(base({ unit: { acquired_via: 'gift', acquired_at: new Date(now.getTime() - 200 * 86400_000) } }));
    expect(r?.rule).toBe('recipient_holding_time');
  });
  it('refuses unattested or minor parties, naming the side', () => {
    expect(giftRefusal(base({ recipient: { id: 'acc_C', kyc_level: 'none', is_adult: true } }))?.rule).toBe('real_name_required');
    const minor = giftRefusal(base({ sender: { id: 'acc_D', kyc_level: 'basic', is_adult: false } }));
    expect(minor?.rule).toBe('adults_only');
    expect(minor?.detail).toContain('sender');
  });
  it('enforces the daily limit and the licence', () => {
    expect(giftRefusal(base({ transfersInLastDay: 1 }))?.rule).toBe('daily_transfer_limit');
    expect(giftRefusal(base({ licenceTransferable: false }))?.rule).toBe('licence_not_transferable');
    expect(giftRefusal(base({ policy: { ...PRESETS.open_market, giftsAllowed: false } }))?.rule).toBe('gifts_not_allowed');
  });
  it('the open preset allows an immediate gift between unattested accounts', () => {
    const anon = { id: 'acc_E', kyc_level: 'none' as const, is_adult: null };
    expect(
      giftRefusal(
        base({ policy: PRESETS.open_market, unit: { acquired_via: 'gift', acquired_at: now }, sender: anon, recipient: anon }),
      ),
    ).toBeNull();
  });
});
