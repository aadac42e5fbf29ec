import { z } from '@hono/zod-openapi';
import { idSchema } from '../../http/schemas.js';
import { guardText, text } from '../../http/text.js';
import { isTerritory } from '../licensing/territories.js';
import { assetMediaSchema } from '../media/media.schemas.js';
import { licenceSchema } from './licence.js';

export const ASSET_KINDS = ['garment', 'virtual_human', 'collectible'] as const;
/** The Shanghai Data Exchange's six digital-asset categories. */
export const CATEGORIES = [
  'cultural_heritage_derivative',
  'digital_creative',
  'consumption_scene',
  'brand_marketing',
  'industrial_application',
  'data_ip',
] as const;
export const CREATOR_ROLES = ['designer', 'modeler', 'illustrator', 'animator', 'voice', 'producer', 'brand', 'other'] as const;
export const FILE_PURPOSES = ['source', 'model', 'texture', 'preview', 'document'] as const;
export const ASSET_STATUSES = ['draft', 'submitted', 'in_review', 'public_notice', 'registered', 'rejected', 'revoked'] as const;

const creatorSchema = z
  .object({
    accountId: idSchema('acc'),
    role: z.enum(CREATOR_ROLES),
    shareBps: z.number().int().min(0).max(10000).openapi({ description: 'Royalty share in basis points.' }),
  })
  .strict();

export const createAssetBody = z
  .object({
    kind: z.enum(ASSET_KINDS),
    title: text({ max: 200 }).trim().min(1),
    description: text({ multiline: true, max: 5000 }).default(''),
    category: z.enum(CATEGORIES),
    rightsHolderId: idSchema('acc'),
    creators: z.array(creatorSchema).min(1).max(20),
    claimedCreatedOn: guardText(z.iso.date(), { max: 10 }).openapi({ example: '2026-03-01' }),
    originalityStatement: text({ multiline: true, max: 5000 }).trim().min(1),
    licence: licenceSchema,
    files: z
      .array(z.object({ uploadId: idSchema('upl'), purpose: z.enum(FILE_PURPOSES) }).strict())
      .max(20)
      .default([]),
    parents: z.array(idSchema('ast')).max(10).default([]).openapi({ description: 'Works this one derives from.' }),
    licenceGrants: z
      .array(
        z
          .object({
            grantId: idSchema('lgr'),
            territory: guardText(z.string(), { max: 9 }).refine(isTerritory, 'an ISO 3166-1 alpha-2 country code or worldwide'),
          })
          .strict(),
      )
      .max(10)
      .default([])
      .openapi({
        description:
          'Licence grants (held by the rights holder) under which this derivative is made, for parents whose public licence forbids derivatives; territory: where it will be exploited.',
      }),
    identityCode: text({ max: 64 })
      .regex(/^[A-Z0-9][A-Z0-9-]{3,63}$/, 'upper-case letters, digits and dashes')
      .optional()
      .openapi({ description: 'Virtual humans only: the "one person, one code" identity; generated when omitted.' }),
  })
  .strict()
  .superRefine((body, ctx) => {
    const total = body.creators.reduce((sum, c) => sum + c.shareBps, 0);
    if (total !== 10000) {
      ctx.addIssue({
        code: 'custom',
        path: ['creators'],
        message: `creator shares must sum to 10000 basis points, not ${total}`,
      });
    }
    if (new Set(body.creators.map((c) => c.accountId)).size !== body.creators.length) {
      ctx.addIssue({ code: 'custom', path: ['creators'], message: 'each creator appears once' });
    }
    for (const [i, g] of body.licenceGrants.entries()) {
      if (body.licenceGrants.findIndex((o) => o.grantId === g.grantId) !== i) {
        ctx.addIssue({ code: 'custom', path: ['licenceGrants'], message: 'each grant appears once' });
      }
    }
    if (new Set(body.parents).size !== body.parents.length) {
      ctx.addIssue({ code: 'custom', path: ['parents'], message: 'each parent appears once' });
    }
    if (body.identityCode && body.kind !== 'virtual_human') {
      ctx.addIssue({ code: 'custom', path: ['identityCode'], message: 'only virtual humans carry an identity code' });
    }
  });

export type CreateAssetInput = z.infer<typeof createAssetBody>;

export const assetSchema = z
  .object({
    id: idSchema('ast'),
    platformId: idSchema('plt'),
    kind: z.enum(ASSET_KINDS),
    title: z.string(),
    description: z.string(),
    category: z.enum(CATEGORIES),
    rightsHolderId: idSchema('acc'),
    creators: z.array(z.object({ accountId: z.string(), role: z.string(), shareBps: z.number().int() })),
    claimedCreatedOn: z.string(),
    originalityStatement: z.string(),
    licence: licenceSchema,
    files: z.array(
      z.object({ uploadId: z.string(), purpose: z.string(), sha256: z.string(), mediaType: z.string(), size: z.number().int() }),
    ),
    parents: z.array(z.string()),
    media: assetMediaSchema.openapi({
      description: "The media worker's analysis of each file, and contradictions with the files' own licences.",
    }),
    identityCode: z.string().nullable(),
    status: z.enum(ASSET_STATUSES),
    registrationNumber: z.string().nullable(),
    noticeEndsAt: z.string().nullable(),
    submittedAt: z.string().nullable(),
    registeredAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Asset');

export const reviewBody = z
  .object({
    action: z.enum(['start', 'approve', 'reject']).openapi({
      description: 'start: submitted → in_review; approve: in_review → public_notice; reject: → rejected (reason required).',
    }),
    reason: text({ multiline: true, max: 5000 }).trim().min(1).optional(),
  })
  .strict()
  .refine((b) => b.action !== 'reject' || b.reason, { message: 'a rejection needs a reason', path: ['reason'] });

export const objectionBody = z.object({ reason: text({ multiline: true, max: 5000 }).trim().min(1) }).strict();
