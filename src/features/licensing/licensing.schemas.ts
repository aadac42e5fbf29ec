import { z } from '@hono/zod-openapi';
import { idSchema } from '../../http/schemas.js';
import { guardText, text } from '../../http/text.js';
import { tradeCertificateSchema } from '../board/trade-certificate.js';
import { isTerritory, WORLDWIDE } from './territories.js';

export const LICENCE_USES = [
  'game_item',
  'virtual_performance',
  'advertising',
  'physical_merchandise',
  'nft_edition',
  'derivative_design',
] as const;
export const EXCLUSIVITY = ['exclusive', 'sole', 'non_exclusive'] as const;

const sha256Hex = guardText(z.string(), { max: 64 }).regex(/^[0-9a-f]{64}$/, 'lower-case hex SHA-256');
const territory = guardText(z.string(), { max: 9 }).refine(isTerritory, 'an ISO 3166-1 alpha-2 country code or worldwide');
const amount = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const bps = z.number().int().min(0).max(10000);
const currency = guardText(z.string(), { max: 3 }).regex(/^[A-Z]{3}$/, 'ISO 4217 code');

export const createOfferBody = z
  .object({
    uses: z.array(z.enum(LICENCE_USES)).min(1).max(6).openapi({ description: 'What the licensee may do with the work.' }),
    conditionsSha256: sha256Hex.optional().openapi({
      description: 'SHA-256 of the free-text conditions (kept by the parties; only the hash is recorded).',
    }),
    territories: z.array(territory).min(1).max(60).openapi({ description: "ISO 3166-1 alpha-2 codes, or ['worldwide']." }),
    startsAt: guardText(z.iso.datetime({ offset: true }), { max: 40 }),
    endsAt: guardText(z.iso.datetime({ offset: true }), { max: 40 }),
    exclusivity: z.enum(EXCLUSIVITY).openapi({
      description:
        'exclusive: nobody else, the rights holder included, may use the work so; sole: no other licensee (the rights ' +
        'holder may); non_exclusive: other non-exclusive licensees may. Exclusive and sole grants never overlap another grant.',
    }),
    currency,
    upfrontFee: amount.openapi({ description: 'Paid on acceptance, minor units.' }),
    royaltyBps: bps.openapi({ description: 'Royalty on reported revenue, basis points.' }),
    minimumGuarantee: amount.default(0).openapi({
      description:
        'Royalties the licensee owes at least over the term, in `currency`; the shortfall is charged with the final report.',
    }),
    creatorShareBps: bps.openapi({
      description:
        "Share of each licence payment (fee and royalties) for the work's creators by their shares, after the platform fee; " +
        "parents' derivative cuts come out of it as in a sale. The rest goes to the rights holder.",
    }),
    sublicensing: z.boolean().default(false),
    derivativesAllowed: z.boolean().default(false),
    derivativeRoyaltyBps: bps.default(0).openapi({
      description: "Share of a derivative's royalties owed up to this work, for derivatives made under the grant.",
    }),
    reportEveryDays: z.number().int().min(1).max(366).default(90),
    renewable: z.boolean().default(false),
    openTo: z
      .array(idSchema('acc'))
      .min(1)
      .max(50)
      .optional()
      .openapi({ description: 'Only these accounts may accept; anyone when absent.' }),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (new Set(b.uses).size !== b.uses.length)
      ctx.addIssue({ code: 'custom', path: ['uses'], message: 'each use appears once' });
    if (new Set(b.territories).size !== b.territories.length) {
      ctx.addIssue({ code: 'custom', path: ['territories'], message: 'each territory appears once' });
    }
    if (b.territories.includes(WORLDWIDE) && b.territories.length > 1) {
      ctx.addIssue({ code: 'custom', path: ['territories'], message: 'worldwide stands alone' });
    }
    if (Date.parse(b.endsAt) <= Date.parse(b.startsAt)) {
      ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'the term must end after it starts' });
    }
    if (!b.derivativesAllowed && b.derivativeRoyaltyBps !== 0) {
      ctx.addIssue({ code: 'custom', path: ['derivativeRoyaltyBps'], message: 'derivativeRoyaltyBps needs derivativesAllowed' });
    }
  });
export type CreateOfferInput = z.infer<typeof createOfferBody>;

const terms = {
  assetId: idSchema('ast'),
  uses: z.array(z.enum(LICENCE_USES)),
  territories: z.array(z.string()),
  startsAt: z.string(),
  endsAt: z.string(),
  exclusivity: z.enum(EXCLUSIVITY),
  currency: z.string(),
  upfrontFee: z.number().int(),
  royaltyBps: z.number().int(),
  minimumGuarantee: z.number().int(),
  creatorShareBps: z.number().int(),
  sublicensing: z.boolean(),
  derivativesAllowed: z.boolean(),
  derivativeRoyaltyBps: z.number().int(),
  reportEveryDays: z.number().int(),
};

export const offerSchema = z
  .object({
    id: idSchema('lof'),
    ...terms,
    conditionsSha256: z.string().nullable(),
    renewable: z.boolean(),
    openTo: z.array(z.string()).nullable(),
    status: z.enum(['open', 'withdrawn']),
    createdAt: z.string(),
  })
  .openapi('LicenceOffer');

export const grantSchema = z
  .object({
    id: idSchema('lgr'),
    offerId: idSchema('lof'),
    ...terms,
    licenseeId: idSchema('acc'),
    status: z.enum(['active', 'expired', 'terminated', 'pending_payment', 'lapsed']).openapi({
      description:
        'pending_payment: accepted by card, holding its rights until Stripe confirms the upfront fee (by `paymentDueAt`); ' +
        'lapsed: not paid in time (its rights are free again, a late payment is refunded).',
    }),
    paymentDueAt: z.string().nullable().openapi({ description: 'Card acceptances: the end of the payment window.' }),
    autoRenew: z.boolean(),
    renewalOf: z.string().nullable(),
    feeJournalId: z.string().nullable(),
    reportedUntil: z.string().openapi({ description: 'Royalties are reported up to here.' }),
    reportDueAt: z.string().nullable().openapi({
      description: 'When the next report is due (30 days after its period closes); null once the term is fully reported.',
    }),
    late: z.boolean().openapi({ description: 'A report is overdue: the rights holder may terminate for non-payment.' }),
    royaltiesInCurrency: z
      .number()
      .int()
      .openapi({ description: 'Royalties settled so far in the grant currency (what counts against the minimum guarantee).' }),
    truedUp: z.boolean(),
    terminatedAt: z.string().nullable(),
    terminationCause: z.enum(['non_payment', 'case_takedown']).nullable(),
    createdAt: z.string(),
    certificate: tradeCertificateSchema.nullable().openapi({
      description: 'The `licence.granted` event and its offline proof; null while the event waits for the log.',
    }),
  })
  .openapi('LicenceGrant');

export const acceptOfferBody = z
  .object({
    licenseeId: idSchema('acc'),
    autoRenew: z.boolean().default(false).openapi({ description: 'Renew at term end on the scheduler (renewable offers only).' }),
    rail: z
      .enum(['balance', 'stripe'])
      .default('balance')
      .openapi({
        description:
          "What pays the upfront fee: the licensee's clearing balance (201, the grant is made at once), or a card " +
          '(202: the grant is `pending_payment` with a Stripe PaymentIntent; the verified webhook makes it).',
      }),
  })
  .strict();

export const reportBody = z
  .object({
    periodEnd: guardText(z.iso.datetime({ offset: true }), { max: 40 }).openapi({
      description: 'The period runs from the grant’s `reportedUntil` to here (at most the term end, not in the future).',
    }),
    lines: z
      .array(z.object({ currency, revenue: amount }).strict())
      .min(1)
      .max(20)
      .openapi({ description: 'Revenue earned under the licence in the period, one line per currency (minor units).' }),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (new Set(b.lines.map((l) => l.currency)).size !== b.lines.length) {
      ctx.addIssue({ code: 'custom', path: ['lines'], message: 'each currency appears once' });
    }
  });

export const reportSchema = z
  .object({
    id: idSchema('lrr'),
    grantId: idSchema('lgr'),
    periodStart: z.string(),
    periodEnd: z.string(),
    lines: z.array(
      z.object({
        currency: z.string(),
        revenue: z.number().int(),
        royalty: z.number().int(),
        trueUp: z.number().int().openapi({ description: 'Minimum-guarantee shortfall charged with this (final) report.' }),
        journalId: z.string().nullable(),
      }),
    ),
    createdAt: z.string(),
  })
  .openapi('RoyaltyReport');

export const terminateBody = z.object({ reason: text({ multiline: true, max: 1000 }).trim().min(1) }).strict();

export const registerEntrySchema = z
  .object({
    grantId: idSchema('lgr'),
    assetId: idSchema('ast'),
    registrationNumber: z.string().nullable(),
    uses: z.array(z.enum(LICENCE_USES)),
    territories: z.array(z.string()),
    startsAt: z.string(),
    endsAt: z.string(),
    exclusivity: z.enum(EXCLUSIVITY),
    licensee: z.string().openapi({ description: 'The board pseudonym of the licensee (p_…), as on trades.' }),
    sublicensing: z.boolean(),
    derivativesAllowed: z.boolean(),
  })
  .openapi('LicenceRegisterEntry');
