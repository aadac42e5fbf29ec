import { z } from '@hono/zod-openapi';

/**
 * Licence terms of a work: the Creative-Commons-like fields, the royalty share a
 * derivative owes, and the VRM avatar permissions (VRM 1.0 `meta`: avatarPermission,
 * allowExcessivelyViolentUsage, allowExcessivelySexualUsage, allowPoliticalOrReligiousUsage).
 */
export const licenceSchema = z
  .object({
    commercialUse: z.enum(['none', 'personal', 'corporate']),
    derivativesAllowed: z.boolean(),
    attributionRequired: z.boolean().default(true),
    derivativeRoyaltyBps: z
      .number()
      .int()
      .min(0)
      .max(10000)
      .default(0)
      .openapi({ description: "Share of a derivative's royalties owed to this work's rights holder, in basis points." }),
    transferable: z.boolean().default(true),
    redistribution: z.boolean().default(false),
    avatar: z
      .object({
        performers: z.enum(['only_author', 'only_separately_licensed', 'everyone']),
        violentUse: z.boolean(),
        sexualUse: z.boolean(),
        politicalOrReligiousUse: z.boolean(),
      })
      .strict()
      .optional()
      .openapi({ description: 'Avatar permissions (virtual humans and VRM models).' }),
  })
  .strict()
  .refine((l) => l.derivativesAllowed || l.derivativeRoyaltyBps === 0, {
    message: 'derivativeRoyaltyBps needs derivativesAllowed',
    path: ['derivativeRoyaltyBps'],
  })
  .openapi('Licence');

export type Licence = z.infer<typeof licenceSchema>;
