import type { Context } from 'hono';

/** Page languages: Chinese by default, English on request. */
export type Lang = 'zh-CN' | 'en';

/** Every page folder has one dictionary: each key in both languages. */
export type Dictionary<K extends string> = Record<Lang, Record<K, string>>;

/** `?lang=en|zh-CN` wins; else the first of Accept-Language we speak; else zh-CN. */
export function pageLang(c: Context): Lang {
  const asked = c.req.query('lang');
  if (asked === 'en') return 'en';
  if (asked?.toLowerCase().startsWith('zh')) return 'zh-CN';
  const ranked = (c.req.header('accept-language') ?? '')
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)/.exec(p)?.[1]).find(Boolean);
      return { tag: tag.toLowerCase(), q: q === undefined ? 1 : Number(q) };
    })
    .filter((l) => l.tag && l.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en';
  }
  return 'zh-CN';
}

/** A link within the pages that keeps an explicitly chosen language. */
export function localHref(path: string, lang: Lang, explicit: boolean): string {
  if (!explicit) return path;
  return `${path}${path.includes('?') ? '&' : '?'}lang=${lang}`;
}

/** Money: see money.ts (the currency's own minor-unit digits). */
export { formatMoney } from './money.js';

/** A timestamp in UTC, the same for every reader: 2026-07-01 12:34 UTC. */
export function formatTime(iso: string | Date | null): string {
  if (!iso) return '–';
  const d = typeof iso === 'string' ? new Date(iso) : iso;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
