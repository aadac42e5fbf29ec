import { z } from '@hono/zod-openapi';
import { REFUSAL_RULES } from './media.types.js';

const previewSchema = z
  .object({
    url: z.string().openapi({
      description: 'GET this (with the same key) for the WebP bytes.',
      example: '/v1/uploads/upl_01J…/preview/small',
    }),
    key: z.string().openapi({ description: 'Object key in storage, named by the source SHA-256.' }),
    width: z.number().int(),
    height: z.number().int(),
  })
  .openapi('MediaPreview');

const fileLicenceSchema = z.object({
  commercialUse: z.enum(['none', 'personal', 'corporate']).nullable(),
  derivativesAllowed: z.boolean().nullable(),
  redistribution: z.boolean().nullable(),
  attributionRequired: z.boolean().nullable(),
  avatar: z.object({
    performers: z.enum(['only_author', 'only_separately_licensed', 'everyone']).nullable(),
    violentUse: z.boolean().nullable(),
    sexualUse: z.boolean().nullable(),
    politicalOrReligiousUse: z.boolean().nullable(),
  }),
});

export const modelSchema = z
  .object({
    container: z.enum(['glb', 'gltf', 'obj', 'fbx', 'zip', 'usdz']),
    meshes: z.number().int().nullable().openapi({ description: 'null when the format cannot be counted (binary USD).' }),
    primitives: z.number().int().nullable(),
    vertices: z.number().int().nullable().openapi({ description: 'Sum of the POSITION accessor counts (glTF).' }),
    textures: z.number().int().nullable(),
    materials: z.number().int().nullable(),
    copyright: z.string().nullable().openapi({ description: 'glTF asset.copyright.' }),
    generator: z.string().nullable(),
    vrm: z
      .object({
        specVersion: z.enum(['0.x', '1.0']),
        title: z.string().nullable(),
        version: z.string().nullable(),
        authors: z.array(z.string()),
        licenceUrl: z.string().nullable(),
        licenceName: z.string().nullable(),
        permissions: z.record(z.string(), z.union([z.string(), z.boolean(), z.null()])).openapi({
          description: 'The VRM permission fields as the file states them (VRM 1.0 defaults applied).',
        }),
        licence: fileLicenceSchema.openapi({ description: "The file's licence in the registry's licence vocabulary." }),
      })
      .nullable(),
    entries: z.number().int().optional(),
    modelEntry: z.string().nullable().optional(),
    textureHashes: z
      .array(
        z.object({
          source: z.string().openapi({ description: '`images[i]` in a GLB, the entry name in a ZIP package.' }),
          format: z.enum(['png', 'jpeg', 'webp']),
          width: z.number().int(),
          height: z.number().int(),
          dhash: z.string().openapi({ description: '64-bit difference hash, 16 hex digits.' }),
          phash: z.string().openapi({ description: '64-bit DCT perceptual hash, 16 hex digits.' }),
          lowDetail: z.boolean(),
        }),
      )
      .optional()
      .openapi({ description: "Embedded textures (GLB) or the package's largest image (ZIP), hashed like images." }),
  })
  .openapi('MediaModel');

export const fileMediaSchema = z
  .object({
    uploadId: z.string(),
    status: z.enum(['queued', 'running', 'done', 'dead', 'missing']).openapi({
      description: 'The analysis job: queued or running (pending), done, or dead (failed after every retry).',
    }),
    verdict: z.enum(['accepted', 'refused']).nullable(),
    refusal: z.object({ rule: z.enum(REFUSAL_RULES), detail: z.string() }).nullable(),
    format: z.string().nullable().openapi({ description: 'The real format, from magic bytes.' }),
    image: z
      .object({
        width: z.number().int(),
        height: z.number().int(),
        dhash: z.string().nullable().openapi({ description: '64-bit difference hash, 16 hex digits.' }),
        phash: z.string().nullable().openapi({ description: '64-bit DCT perceptual hash, 16 hex digits.' }),
        lowDetail: z.boolean().openapi({ description: 'Too uniform to fingerprint; kept out of near-duplicate search.' }),
        blurhash: z.string().nullable(),
        previews: z.object({ small: previewSchema, large: previewSchema }).nullable(),
      })
      .nullable(),
    model: modelSchema.nullable(),
    analysedAt: z.string().nullable(),
  })
  .openapi('FileMedia');

export const licenceContradictionSchema = z
  .object({
    uploadId: z.string(),
    term: z.string().openapi({ example: 'commercialUse' }),
    registered: z.union([z.string(), z.boolean()]),
    file: z.union([z.string(), z.boolean()]),
    detail: z.string(),
  })
  .openapi('LicenceContradiction');

export const assetMediaSchema = z
  .object({
    files: z.array(fileMediaSchema),
    licenceContradictions: z
      .array(licenceContradictionSchema)
      .openapi({ description: "Terms the registered licence grants but a file's own (VRM) licence forbids." }),
  })
  .openapi('AssetMedia');

export const screeningMatchSchema = z
  .object({
    uploadId: z.string().openapi({ description: 'The file of the screened work.' }),
    matchedAssetId: z.string(),
    matchedTitle: z.string(),
    matchedStatus: z.string(),
    matchedRegistrationNumber: z.string().nullable(),
    matchedUploadId: z.string(),
    algorithm: z.enum(['sha256', 'dhash', 'phash']),
    distance: z.number().int().openapi({ description: 'Hamming distance of the 64-bit hashes; 0 for an identical file.' }),
    preview: z
      .object({ small: z.string(), large: z.string() })
      .nullable()
      .openapi({ description: "URLs of the matched file's previews." }),
  })
  .openapi('ScreeningMatch');

export const screeningSchema = z
  .object({
    assetId: z.string(),
    flagged: z.boolean(),
    threshold: z.number().int(),
    screenedAt: z.string(),
    matches: z.array(screeningMatchSchema),
    licenceContradictions: z.array(licenceContradictionSchema),
  })
  .openapi('Screening');
