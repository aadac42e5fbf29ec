/** Kysely types of the tables for: Ledger, listings, bids, offers and trades (0004). */
import type { ColumnType, Generated } from 'kysely';
import type { Int8, Timestamp } from './columns.js';

export interface JournalsTable {
  id: string;
  kind:
    | 'topup'
    | 'trade'
    | 'reversal'
    | 'payment'
    | 'refund'
    | 'hold'
    | 'hold_release'
    | 'payout'
    | 'partial_reversal'
    | 'recovery'
    | 'bid_hold'
    | 'forfeit'
    | 'licence_fee'
    | 'licence_royalty';
  currency: string;
  trade_id: string | null;
  reverses: string | null;
  memo: string | null;
  created_at: Timestamp;
}

export interface PostingsTable {
  id: ColumnType<bigint, never, never>;
  journal_id: string;
  holder: string;
  role:
    | 'topup_source'
    | 'topup'
    | 'buyer'
    | 'seller'
    | 'platform_fee'
    | 'royalty'
    | 'parent_royalty'
    | 'payment_source'
    | 'payment'
    | 'refund'
    | 'refund_sink'
    | 'hold'
    | 'payout'
    | 'payout_sink'
    | 'receivable'
    | 'recovery'
    | 'bid_hold'
    | 'forfeit';
  amount: Int8;
  /**
   * A credit written without moving the holder's balance row (schema/0027): a platform's fee or a
   * creator's royalty in a trade. Counted as pending until the fold moves the row.
   */
  deferred: ColumnType<boolean, boolean | undefined, never>;
  /**
   * The holder's balance after this posting; set by the database (null for the outside world, and
   * for a deferred credit until it is folded).
   */
  balance_after: ColumnType<bigint | null, never, never>;
  /** Where the posting moved its holder's balance row, in order (its id, or a later value once folded). */
  applied_seq: ColumnType<bigint | null, never, never>;
}

export interface BalancesTable {
  holder: string;
  currency: string;
  amount: Int8;
}

export type ListingKind = 'fixed' | 'english' | 'dutch' | 'sealed';
export type ListingStatus = 'open' | 'closed' | 'sold' | 'cancelled' | 'expired';

export interface ListingsTable {
  id: string;
  platform_id: string;
  seller_id: string;
  unit_id: string | null;
  edition_id: string;
  quantity: Generated<number>;
  sold: Generated<number>;
  kind: ListingKind;
  currency: string;
  price: Int8 | null;
  start_price: Int8 | null;
  floor_price: Int8 | null;
  reserve_price: Int8 | null;
  min_increment: Int8 | null;
  anti_snipe_seconds: number | null;
  starts_at: Timestamp;
  ends_at: Timestamp | null;
  reveal_ends_at: Timestamp | null;
  /** Sealed bids: the deposit each commitment puts up (0013); null when none is asked. */
  bid_deposit: ColumnType<bigint | null, bigint | null | undefined, bigint | null>;
  status: ListingStatus;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** The work's kind and category, copied by the database when the listing is made (for the board). */
  asset_kind: ColumnType<'garment' | 'virtual_human' | 'collectible', never, never>;
  category: ColumnType<string, never, never>;
  /**
   * The board's price sort key (0026), set by the database when the listing is made and when a bid
   * is accepted; Dutch keys are refreshed by the scheduler (features/market/dutch-board-keys.ts).
   * Null for sealed-bid listings.
   */
  board_price: ColumnType<bigint | null, never, never>;
  /** When a Dutch listing's `board_price` is next refreshed (0026 `dutch_key_due`); null for other kinds. */
  board_price_due: ColumnType<Date | null, never, never>;
}

export interface BidsTable {
  id: string;
  listing_id: string;
  bidder_id: string;
  amount: Int8;
  created_at: Timestamp;
}

export interface SealedBidsTable {
  id: string;
  listing_id: string;
  bidder_id: string;
  commitment: Uint8Array;
  committed_at: Timestamp;
  amount: Int8 | null;
  salt: string | null;
  revealed_at: Timestamp | null;
  /** The first commitment and each replacement (0013). */
  commitments: Generated<number>;
}

export interface OffersTable {
  id: string;
  unit_id: string;
  buyer_id: string;
  platform_id: string;
  currency: string;
  amount: Int8;
  expires_at: Timestamp;
  status: 'open' | 'accepted' | 'cancelled' | 'expired' | 'declined';
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type TradeStatus = 'reserved' | 'settled' | 'released';

export interface TradesTable {
  id: string;
  listing_id: string | null;
  offer_id: string | null;
  unit_id: string;
  seller_id: string;
  buyer_id: string;
  platform_id: string;
  currency: string;
  price: Int8;
  fee_bps: number;
  royalty_bps: number;
  rail: 'balance' | 'stripe';
  status: TradeStatus;
  reserved_until: Timestamp;
  journal_id: string | null;
  created_at: Timestamp;
  settled_at: Timestamp | null;
  released_at: Timestamp | null;
  release_reason: string | null;
}
