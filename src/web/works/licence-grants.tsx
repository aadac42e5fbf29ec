import type { Dictionary } from '../i18n.js';
import { formatTime } from '../i18n.js';
import type { PageContext } from '../layout.js';

/** Licence-register words, kept beside the one component that uses them. */
const dict: Dictionary<'title' | 'uses' | 'territories' | 'term' | 'exclusivity' | 'licensee' | 'none'> = {
  'zh-CN': {
    title: '授权许可',
    uses: '用途',
    territories: '地域',
    term: '期限',
    exclusivity: '独占性',
    licensee: '被许可方',
    none: '暂无生效的授权。',
  },
  en: {
    title: 'Licences in force',
    uses: 'Uses',
    territories: 'Territories',
    term: 'Term',
    exclusivity: 'Exclusivity',
    licensee: 'Licensee',
    none: 'No licence in force.',
  },
};

export interface LicenceGrantRow {
  grantId: string;
  uses: string[];
  territories: string[];
  startsAt: string;
  endsAt: string;
  exclusivity: string;
  licensee: string;
}

/** A work's grants in force (the public licence register, GET /v1/board/licences): which rights are taken. */
export function LicenceGrants({ ctx, grants }: { ctx: PageContext; grants: LicenceGrantRow[] }) {
  const t = dict[ctx.lang];
  return (
    <>
      <h2>{t.title}</h2>
      {grants.length === 0 ? (
        <p>{t.none}</p>
      ) : (
        <div class="table-wrap">
          <table id="licences">
            <thead>
              <tr>
                <th scope="col">{t.uses}</th>
                <th scope="col">{t.territories}</th>
                <th scope="col">{t.term}</th>
                <th scope="col">{t.exclusivity}</th>
                <th scope="col">{t.licensee}</th>
              </tr>
            </thead>
            <tbody>
              {grants.map((g) => (
                <tr>
                  <td>{g.uses.join(', ')}</td>
                  <td>{g.territories.join(', ')}</td>
                  <td>{`${formatTime(g.startsAt)} – ${formatTime(g.endsAt)}`}</td>
                  <td>{g.exclusivity}</td>
                  <td>
                    <code>{g.licensee}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
