import type { Licence } from '../../features/assets/licence.js';
import type { Lang } from '../i18n.js';
import { worksDict } from './works.dict.js';

/** A licence as sentences a visitor reads, one per term. */
export function licenceInWords(licence: Licence, lang: Lang): string[] {
  const t = worksDict[lang];
  const yesNo = (flag: boolean | undefined, yes: keyof typeof t, no: keyof typeof t) => t[flag ? yes : no];
  const percent = `${(licence.derivativeRoyaltyBps ?? 0) / 100}%`;
  const lines = [
    t[`lic.commercial.${licence.commercialUse}`],
    licence.derivativesAllowed ? t['lic.derivatives.yes'].replace('{bps}', percent) : t['lic.derivatives.no'],
    yesNo(licence.attributionRequired ?? true, 'lic.attribution.yes', 'lic.attribution.no'),
    yesNo(licence.transferable ?? true, 'lic.transferable.yes', 'lic.transferable.no'),
    yesNo(licence.redistribution ?? false, 'lic.redistribution.yes', 'lic.redistribution.no'),
  ];
  if (licence.avatar) {
    const a = licence.avatar;
    const word = (b: boolean) => t[b ? 'lic.avatar.allowed' : 'lic.avatar.forbidden'];
    lines.push(t[`lic.avatar.${a.performers}`]);
    lines.push(
      t['lic.avatar.uses']
        .replace('{violent}', word(a.violentUse))
        .replace('{sexual}', word(a.sexualUse))
        .replace('{political}', word(a.politicalOrReligiousUse)),
    );
  }
  return lines;
}
