import type { Lang } from './i18n.js';

/**
 * Money on the pages. Amounts travel as integers in the currency's minor unit (as the ledger keeps
 * them); how many digits that unit has comes from ICU's currency data through `Intl`, the same data
 * the API checks currency codes against (`Intl.supportedValuesOf('currency')`): 0 for JPY and KRW,
 * 2 for CNY, USD and EUR, 3 for KWD or BHD. There is no second table to drift from it.
 */
export function minorUnitDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    // Not a well-formed code (the API never stores one): show the integer as it is.
    return 0;
  }
}

/**
 * An amount in minor units as the reader's language writes numbers, then the ISO code
 * ("1,280.00 CNY", "128,000 JPY"): the code, not a symbol, because ¥ is both yuan and yen.
 * Integer arithmetic throughout, so no amount up to 2^53 is ever rounded.
 */
export function formatMoney(amount: number | null, currency: string, lang: Lang = 'zh-CN'): string {
  if (amount === null) return '–';
  const digits = minorUnitDigits(currency);
  const abs = BigInt(Math.abs(amount));
  const base = 10n ** BigInt(digits);
  const whole = new Intl.NumberFormat(lang, { useGrouping: true }).format(abs / base);
  const sign = amount < 0 ? '-' : '';
  if (digits === 0) return `${sign}${whole} ${currency}`;
  const fraction = String(abs % base).padStart(digits, '0');
  return `${sign}${whole}${decimalSeparator(lang)}${fraction} ${currency}`;
}

function decimalSeparator(lang: Lang): string {
  return new Intl.NumberFormat(lang).formatToParts(1.5).find((p) => p.type === 'decimal')?.value ?? '.';
}
