import { z } from '@hono/zod-openapi';

const DAY = 86400;

/**
 * The transfer policy of an edition (README, "Transfer policies"). Times are seconds. Holding times count from
 * when the current owner acquired the unit: `giftHoldSeconds` / `resaleHoldSeconds` after a mint
 * or purchase, `recipientHoldSeconds` after receiving it as a gift.
 */
export const transferPolicySchema = z
  .object({
    resaleAllowed: z.boolean(),
    giftsAllowed: z.boolean(),
    auctionsAllowed: z.boolean(),
    resaleHoldSeconds: z.number().int().min(0),
    giftHoldSeconds: z.number().int().min(0),
    recipientHoldSeconds: z.number().int().min(0),
    /** At most this many changes of owner of one unit (gifts and sales) in any 24 hours; null = no limit. */
    transfersPerDay: z.number().int().min(1).nullable(),
    realNameRequired: z.boolean(),
    adultsOnly: z.boolean(),
  })
  .strict()
  .openapi('TransferPolicy');

export type TransferPolicy = z.infer<typeof transferPolicySchema>;

export const PRESETS = {
  /**
   * The mainland digital-collectibles rules: no secondary market (no resale, no auctions or
   * continuous matching), gifts only after 180 days, a recipient holds two years before passing
   * it on, real names and adults only.
   */
  mainland_collectible: {
    resaleAllowed: false,
    giftsAllowed: true,
    auctionsAllowed: false,
    resaleHoldSeconds: 0,
    giftHoldSeconds: 180 * DAY,
    recipientHoldSeconds: 730 * DAY,
    transfersPerDay: 1,
    realNameRequired: true,
    adultsOnly: true,
  },
  /** Fashion IP trading: resale, auctions and gifts at any time. */
  open_market: {
    resaleAllowed: true,
    giftsAllowed: true,
    auctionsAllowed: true,
    resaleHoldSeconds: 0,
    giftHoldSeconds: 0,
    recipientHoldSeconds: 0,
    transfersPerDay: null,
    realNameRequired: false,
    adultsOnly: false,
  },
} as const satisfies Record<string, TransferPolicy>;

export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as [PresetName, ...PresetName[]];

export interface Party {
  id: string;
  kyc_level: 'none' | 'basic' | 'verified';
  is_adult: boolean | null;
}

export interface GiftFacts {
  policy: TransferPolicy;
  licenceTransferable: boolean;
  unit: { acquired_via: 'mint' | 'gift' | 'trade'; acquired_at: Date };
  sender: Party;
  recipient: Party;
  /** Changes of owner of this unit (not mints) in the 24 hours before now. */
  transfersInLastDay: number;
  now: Date;
}

export interface Refusal {
  rule: string;
  detail: string;
  /** When the refusing rule is a waiting time: the earliest moment it will pass. */
  allowedAt?: string;
}

/** The first rule that refuses a gift, in a fixed order, or null when every rule allows it. */
export function giftRefusal(f: GiftFacts): Refusal | null {
  if (!f.licenceTransferable) return { rule: 'licence_not_transferable', detail: "The work's licence does not allow transfers." };
  if (!f.policy.giftsAllowed) return { rule: 'gifts_not_allowed', detail: "This edition's policy does not allow gifts." };
  const fromGift = f.unit.acquired_via === 'gift';
  const hold = fromGift ? f.policy.recipientHoldSeconds : f.policy.giftHoldSeconds;
  const allowedAt = new Date(f.unit.acquired_at.getTime() + hold * 1000);
  if (f.now < allowedAt) {
    return {
      rule: fromGift ? 'recipient_holding_time' : 'gift_holding_time',
      detail: `A unit ${fromGift ? 'received as a gift' : 'acquired'} must be held ${hold} seconds before it is given away.`,
      allowedAt: allowedAt.toISOString(),
    };
  }
  if (f.policy.transfersPerDay !== null && f.transfersInLastDay >= f.policy.transfersPerDay) {
    return {
      rule: 'daily_transfer_limit',
      detail: `This unit may change owner at most ${f.policy.transfersPerDay} times in 24 hours.`,
    };
  }
  return partyRefusal(f.policy, f.sender, 'sender') ?? partyRefusal(f.policy, f.recipient, 'recipient');
}

/** Real-name and age rules for one side of a transfer; shared by gifts and (later) sales. */
export function partyRefusal(
  policy: TransferPolicy,
  party: Party,
  side: 'sender' | 'recipient' | 'seller' | 'buyer',
): Refusal | null {
  if (policy.realNameRequired && party.kyc_level === 'none') {
    return { rule: 'real_name_required', detail: `The ${side} ${party.id} has no real-name attestation.` };
  }
  if (policy.adultsOnly && party.is_adult !== true) {
    return { rule: 'adults_only', detail: `The ${side} ${party.id} is not attested as an adult.` };
  }
  return null;
}
