import { z } from '@hono/zod-openapi';
import { idSchema } from '../../http/schemas.js';
import { guardText, text } from '../../http/text.js';
import { instantSchema } from '../market/market.schemas.js';

export const CASE_STATUSES = ['open', 'interim', 'awaiting_response', 'decided', 'appeal', 'closed'] as const;
export const DETERMINATIONS = ['dismissed', 'takedown', 'rights_transferred', 'settled'] as const;

const statement = text({ multiline: true, max: 5000 }).trim().min(1);
const sha256Hex = guardText(z.string(), { max: 64 }).regex(/^[0-9a-f]{64}$/, 'must be a lowercase hex SHA-256');
const evidenceIds = z
  .array(idSchema('upl'))
  .max(20)
  .default([])
  .openapi({ description: 'Completed uploads of the party (POST /v1/uploads): only their SHA-256 enters the log.' });

export const fileComplaintBody = z
  .object({
    assetId: idSchema('ast').openapi({ description: 'The registered work complained about.' }),
    complainantId: idSchema('acc').openapi({ description: 'The account complaining: one the caller acts for.' }),
    earlierAssetId: idSchema('ast').optional().openapi({ description: "The complainant's earlier work, if registered here." }),
    statement,
    claimedCreatedOn: guardText(z.iso.date(), { max: 10 })
      .optional()
      .openapi({ description: 'When the complainant says its work was created', example: '2025-11-01' }),
    copiedElements: z
      .array(text({ max: 200 }).trim().min(1))
      .max(20)
      .default([])
      .openapi({ description: 'What was copied, in a few words each (silhouette, print, colourway …).' }),
    evidenceUploadIds: evidenceIds,
  })
  .strict();

const evidenceSchema = z.object({ uploadId: z.string(), sha256: z.string() });

export const complaintSchema = z
  .object({
    id: idSchema('cmp'),
    assetId: z.string(),
    complainantId: z.string(),
    platformId: z.string(),
    earlierAssetId: z.string().nullable(),
    statement: z.string(),
    claimedCreatedOn: z.string().nullable(),
    copiedElements: z.array(z.string()),
    evidence: z.array(evidenceSchema),
    screening: z.record(z.string(), z.unknown()).openapi({
      description:
        'The similarity screening between the two works when filed: every file pair by SHA-256 and by perceptual hash ' +
        '(dhash, phash) with its Hamming distance, closest first; `closestDistance`; files without a hash in `unhashed`.',
    }),
    status: z.enum(['filed', 'in_case', 'closed']),
    caseId: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('Complaint');

export const openCaseBody = z
  .object({
    assetId: idSchema('ast'),
    complaintIds: z.array(idSchema('cmp')).max(50).default([]).openapi({ description: 'Filed complaints against the work.' }),
    complainantId: idSchema('acc').optional().openapi({ description: 'On a court order without a complaint: the claimant.' }),
    courtReference: text({ max: 200 }).trim().min(1).optional().openapi({ description: 'A court order this case carries out.' }),
    courtDocumentSha256: sha256Hex.optional(),
    assignedTo: idSchema('off').optional().openapi({ description: 'The official in charge (default: the one opening).' }),
    note: statement.optional(),
  })
  .strict();

export const assignBody = z.object({ officialId: idSchema('off') }).strict();

export const measuresBody = z
  .object({
    freeze: z
      .union([z.enum(['all', 'none']), z.array(idSchema('unt')).min(1).max(1000)])
      .default('none')
      .openapi({ description: "'all' units of the work (new primary sales too), 'none', or the ids of some units." }),
    suspendListings: z
      .boolean()
      .default(false)
      .openapi({ description: "Cancel the work's open listings, releasing reservations." }),
    hide: z
      .boolean()
      .default(false)
      .openapi({ description: 'Hide the work from the public board; its pages show a pending-case notice.' }),
    reason: statement,
  })
  .strict();

export const requestResponsesBody = z
  .object({ dueAt: instantSchema.optional().openapi({ description: 'Default: CASE_RESPONSE_DAYS from now.' }) })
  .strict();

export const respondBody = z.object({ partyId: idSchema('acc'), statement, evidenceUploadIds: evidenceIds }).strict();

export const decideBody = z
  .object({
    determination: z.enum(DETERMINATIONS),
    reason: statement,
    newRightsHolderId: idSchema('acc').optional().openapi({ description: 'rights_transferred: default the complainant.' }),
    transferCredits: z
      .boolean()
      .optional()
      .openapi({ description: 'rights_transferred: the creator credits and royalty shares move too.' }),
    agreementSha256: sha256Hex.optional().openapi({ description: "settled: the SHA-256 of the parties' agreement (required)." }),
    courtReference: text({ max: 200 }).trim().min(1).optional(),
    courtDocumentSha256: sha256Hex.optional(),
  })
  .strict();

export const appealBody = z.object({ partyId: idSchema('acc'), statement }).strict();

export const caseSchema = z
  .object({
    id: idSchema('cas'),
    assetId: z.string(),
    status: z.enum(CASE_STATUSES),
    origin: z.enum(['complaint', 'official', 'court_order']),
    complainantId: z.string().nullable(),
    respondentId: z.string().openapi({ description: 'The rights holder when the case was opened.' }),
    openedBy: z.string(),
    assignedTo: z.string(),
    courtReference: z.string().nullable(),
    courtDocumentSha256: z.string().nullable(),
    note: z.string().nullable(),
    complaintIds: z.array(z.string()),
    measures: z.object({ unitsFrozen: z.boolean(), listingsSuspended: z.boolean(), hidden: z.boolean() }),
    responseDueAt: z.string().nullable(),
    determination: z.enum(DETERMINATIONS).nullable(),
    terms: z.record(z.string(), z.unknown()).nullable(),
    reason: z.string().nullable(),
    decidedBy: z.string().nullable(),
    decidedAt: z.string().nullable(),
    effectiveAt: z
      .string()
      .nullable()
      .openapi({ description: 'When the determination takes effect (the end of the appeal window).' }),
    appealedBy: z.string().nullable(),
    appealedAt: z.string().nullable(),
    closedAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Case');

export const publicCaseSchema = z
  .object({
    id: idSchema('cas'),
    assetId: z.string(),
    registrationNumber: z.string().nullable(),
    status: z.enum(CASE_STATUSES),
    determination: z.enum(DETERMINATIONS).nullable(),
    openedAt: z.string(),
    decidedAt: z.string().nullable(),
    effectiveAt: z.string().nullable(),
    closedAt: z.string().nullable(),
    decisionEventId: z.string().nullable(),
    logIndex: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "The decision event's index in the transparency log (null until integrated)." }),
  })
  .openapi('PublicCase');

export const caseListQuery = z.object({
  status: z.enum(CASE_STATUSES).optional().openapi({ description: 'Officials only: filter by status.' }),
  assetId: idSchema('ast').optional(),
});

export const responseSchema = z
  .object({
    id: idSchema('rsp'),
    caseId: z.string(),
    partyId: z.string(),
    statement: z.string(),
    evidence: z.array(evidenceSchema),
    createdAt: z.string(),
  })
  .openapi('CaseResponse');
