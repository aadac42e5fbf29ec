/**
 * Territories of a licence: ISO 3166-1 alpha-2 country codes (the 249 officially assigned ones) or
 * `worldwide`. For the exclusion constraint on grants (schema/0020_licensing.sql) each territory is
 * an int4range: a country is the point of its two letters read in base 26, worldwide the whole
 * [0, 676), so "worldwide" overlaps every country and two different countries never overlap.
 */
const ISO_3166_ALPHA2 = new Set(
  (
    'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT ' +
    'BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ' +
    'ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT ' +
    'HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS ' +
    'LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI ' +
    'NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG ' +
    'SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG ' +
    'UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW'
  ).split(' '),
);

export const WORLDWIDE = 'worldwide';
const SPAN = 26 * 26;

export function isTerritory(code: string): boolean {
  return code === WORLDWIDE || ISO_3166_ALPHA2.has(code);
}

/** The int4range literal of a territory, e.g. `[52,53)` for CN, `[0,676)` for worldwide. */
export function territorySpan(code: string): string {
  if (code === WORLDWIDE) return `[0,${SPAN})`;
  const n = (code.charCodeAt(0) - 65) * 26 + (code.charCodeAt(1) - 65);
  return `[${n},${n + 1})`;
}

/** Whether a grant's territories cover `territory` (worldwide covers every country). */
export function territoriesCover(granted: readonly string[], territory: string): boolean {
  return granted.includes(WORLDWIDE) || granted.includes(territory);
}
