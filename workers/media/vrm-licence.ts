import type { CommercialUse, FileLicence, Performers, VrmInfo } from '../../src/features/media/media.types.js';

/*
 * VRM licence metadata, read into the registry's licence vocabulary.
 * - VRM 0.x: `extensions.VRM.meta` (vrm-specification, specification/0.0/schema/vrm.meta.schema.json):
 *   allowedUserName, violentUssageName, sexualUssageName, commercialUssageName (sic), licenseName.
 * - VRM 1.0: `extensions.VRMC_vrm.meta` (specification/VRMC_vrm-1.0/meta.md): avatarPermission,
 *   allowExcessivelyViolentUsage, allowExcessivelySexualUsage, commercialUsage,
 *   allowPoliticalOrReligiousUsage, allowAntisocialOrHateUsage, creditNotation, allowRedistribution,
 *   modification. Absent fields take the defaults that specification gives (the most restrictive).
 */

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim().slice(0, 500) : null);

export function readVrmMeta(extensions: unknown): VrmInfo | null {
  const ext = obj(extensions);
  const v1 = obj(obj(ext?.VRMC_vrm)?.meta);
  if (v1) return vrm1(v1);
  const v0 = obj(obj(ext?.VRM)?.meta);
  if (v0) return vrm0(v0);
  // A VRM extension without meta is still a VRM: record that it states no licence.
  if (ext?.VRMC_vrm) return vrm1({});
  if (ext?.VRM) return vrm0({});
  return null;
}

const V0_PERFORMERS: Record<string, Performers> = {
  OnlyAuthor: 'only_author',
  ExplicitlyLicensedPerson: 'only_separately_licensed',
  Everyone: 'everyone',
};
const allowDisallow = (v: unknown): boolean | null => (v === 'Allow' ? true : v === 'Disallow' ? false : null);

function vrm0(meta: Json): VrmInfo {
  const licenseName = str(meta.licenseName);
  const fromName = creativeCommons(licenseName);
  const commercialFlag = allowDisallow(meta.commercialUssageName);
  let commercialUse: CommercialUse | null = commercialFlag === null ? null : commercialFlag ? 'corporate' : 'none';
  // A non-commercial licence narrows whatever commercialUssageName says.
  if (fromName.nonCommercial) commercialUse = 'none';
  const licence: FileLicence = {
    commercialUse,
    derivativesAllowed: fromName.derivativesAllowed,
    redistribution: fromName.redistribution,
    attributionRequired: fromName.attributionRequired,
    avatar: {
      performers: V0_PERFORMERS[String(meta.allowedUserName)] ?? null,
      violentUse: allowDisallow(meta.violentUssageName),
      sexualUse: allowDisallow(meta.sexualUssageName),
      politicalOrReligiousUse: null, // VRM 0.x has no such field
    },
  };
  const permissions: Record<string, string | null> = {};
  for (const k of ['allowedUserName', 'violentUssageName', 'sexualUssageName', 'commercialUssageName', 'licenseName']) {
    permissions[k] = str(meta[k]);
  }
  return {
    specVersion: '0.x',
    title: str(meta.title),
    version: str(meta.version),
    authors: str(meta.author) ? [str(meta.author)!] : [],
    licenceUrl: str(meta.otherLicenseUrl),
    licenceName: licenseName,
    permissions,
    licence,
  };
}

/** VRM 0.x licenseName values (CC_BY_NC_ND, Redistribution_Prohibited, CC0, Other …). */
function creativeCommons(name: string | null) {
  const none = { nonCommercial: false, derivativesAllowed: null, redistribution: null, attributionRequired: null };
  if (!name) return none;
  if (name === 'Redistribution_Prohibited') return { ...none, redistribution: false };
  if (name === 'CC0') return { nonCommercial: false, derivativesAllowed: true, redistribution: true, attributionRequired: false };
  if (!name.startsWith('CC_BY')) return none; // Other: terms are at otherLicenseUrl, not machine-readable
  return {
    nonCommercial: name.includes('_NC'),
    derivativesAllowed: !name.includes('_ND'),
    redistribution: true,
    attributionRequired: true,
  };
}

const V1_PERFORMERS: Record<string, Performers> = {
  onlyAuthor: 'only_author',
  onlySeparatelyLicensedPerson: 'only_separately_licensed',
  everyone: 'everyone',
};
const V1_COMMERCIAL: Record<string, CommercialUse> = {
  personalNonProfit: 'none',
  personalProfit: 'personal',
  corporation: 'corporate',
};

function vrm1(meta: Json): VrmInfo {
  const bool = (v: unknown, dflt: boolean) => (typeof v === 'boolean' ? v : dflt);
  const oneOf = <T extends string>(v: unknown, allowed: readonly T[], dflt: T): T =>
    typeof v === 'string' && (allowed as readonly string[]).includes(v) ? (v as T) : dflt;
  const permissions = {
    avatarPermission: oneOf(meta.avatarPermission, ['onlyAuthor', 'onlySeparatelyLicensedPerson', 'everyone'], 'onlyAuthor'),
    allowExcessivelyViolentUsage: bool(meta.allowExcessivelyViolentUsage, false),
    allowExcessivelySexualUsage: bool(meta.allowExcessivelySexualUsage, false),
    commercialUsage: oneOf(meta.commercialUsage, ['personalNonProfit', 'personalProfit', 'corporation'], 'personalNonProfit'),
    allowPoliticalOrReligiousUsage: bool(meta.allowPoliticalOrReligiousUsage, false),
    allowAntisocialOrHateUsage: bool(meta.allowAntisocialOrHateUsage, false),
    creditNotation: oneOf(meta.creditNotation, ['required', 'unnecessary'], 'required'),
    allowRedistribution: bool(meta.allowRedistribution, false),
    modification: oneOf(meta.modification, ['prohibited', 'allowModification', 'allowModificationRedistribution'], 'prohibited'),
    copyrightInformation: str(meta.copyrightInformation),
  };
  const authors = Array.isArray(meta.authors)
    ? meta.authors
        .map(str)
        .filter((a): a is string => a !== null)
        .slice(0, 20)
    : [];
  return {
    specVersion: '1.0',
    title: str(meta.name),
    version: str(meta.version),
    authors,
    licenceUrl: str(meta.licenseUrl),
    licenceName: null,
    permissions,
    licence: {
      commercialUse: V1_COMMERCIAL[permissions.commercialUsage]!,
      derivativesAllowed: permissions.modification !== 'prohibited',
      redistribution: permissions.allowRedistribution,
      attributionRequired: permissions.creditNotation === 'required',
      avatar: {
        performers: V1_PERFORMERS[permissions.avatarPermission]!,
        violentUse: permissions.allowExcessivelyViolentUsage,
        sexualUse: permissions.allowExcessivelySexualUsage,
        politicalOrReligiousUse: permissions.allowPoliticalOrReligiousUsage,
      },
    },
  };
}
