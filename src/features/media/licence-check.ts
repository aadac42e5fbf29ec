import type { Licence } from '../assets/licence.js';
import type { CommercialUse, FileLicence, Performers } from './media.types.js';

/** A term where the registered licence grants more than the file's own licence metadata allows. */
export interface LicenceContradiction {
  term: string;
  registered: string | boolean;
  file: string | boolean;
  detail: string;
}

const COMMERCIAL_RANK: Record<CommercialUse, number> = { none: 0, personal: 1, corporate: 2 };
const PERFORMER_RANK: Record<Performers, number> = { only_author: 0, only_separately_licensed: 1, everyone: 2 };

/**
 * Contradictions between a registered licence and a file's own (VRM) licence. Only grants count:
 * registering narrower terms than the file allows is the rights holder's choice, but registering
 * wider ones (commercial use the model's author forbade, everyone may perform an avatar reserved to
 * its author, …) would let buyers rely on rights nobody gave. Terms the file is silent on are
 * never contradictions.
 */
export function licenceContradictions(registered: Licence, file: FileLicence): LicenceContradiction[] {
  const out: LicenceContradiction[] = [];
  const grant = (term: string, reg: boolean, fileValue: boolean | null, what: string) => {
    if (reg && fileValue === false) {
      out.push({
        term,
        registered: true,
        file: false,
        detail: `Registered as allowing ${what}, but the file's licence forbids it.`,
      });
    }
  };

  if (file.commercialUse && COMMERCIAL_RANK[registered.commercialUse] > COMMERCIAL_RANK[file.commercialUse]) {
    out.push({
      term: 'commercialUse',
      registered: registered.commercialUse,
      file: file.commercialUse,
      detail: `Registered for ${registered.commercialUse} commercial use, but the file's licence allows ${
        file.commercialUse === 'none' ? 'no commercial use' : `only ${file.commercialUse} commercial use`
      }.`,
    });
  }
  grant('derivativesAllowed', registered.derivativesAllowed, file.derivativesAllowed, 'derivative works');
  grant('redistribution', registered.redistribution, file.redistribution, 'redistribution');
  if (!registered.attributionRequired && file.attributionRequired === true) {
    out.push({
      term: 'attributionRequired',
      registered: false,
      file: true,
      detail: "Registered without attribution, but the file's licence requires credit.",
    });
  }

  const avatar = registered.avatar;
  if (avatar) {
    const performers = file.avatar.performers;
    if (performers && PERFORMER_RANK[avatar.performers] > PERFORMER_RANK[performers]) {
      out.push({
        term: 'avatar.performers',
        registered: avatar.performers,
        file: performers,
        detail: `Registered so that ${avatar.performers} may perform as the avatar, but the file allows only ${performers}.`,
      });
    }
    grant('avatar.violentUse', avatar.violentUse, file.avatar.violentUse, 'violent use of the avatar');
    grant('avatar.sexualUse', avatar.sexualUse, file.avatar.sexualUse, 'sexual use of the avatar');
    grant(
      'avatar.politicalOrReligiousUse',
      avatar.politicalOrReligiousUse,
      file.avatar.politicalOrReligiousUse,
      'political or religious use of the avatar',
    );
  }
  return out;
}
