import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import type { AppEnv } from '../http/env.js';
import { type Lang, localHref, pageLang } from './i18n.js';
import { siteDict } from './site.dict.js';
import { assetUrl, type WebAssets } from './web-assets.js';

/** What every page needs to know about the request it answers. */
export interface PageContext {
  lang: Lang;
  /** The language was chosen by `?lang=`: links carry it on. */
  explicit: boolean;
  path: string;
  /** This page's URL in the other language, its query kept. */
  otherLangHref: string;
  assets: WebAssets | undefined;
  href(path: string): string;
}

export function pageContext(c: Context<AppEnv>): PageContext {
  const lang = pageLang(c);
  const explicit = c.req.query('lang') !== undefined;
  const url = new URL(c.req.url);
  url.searchParams.set('lang', lang === 'en' ? 'zh-CN' : 'en');
  return {
    lang,
    explicit,
    path: c.req.path,
    otherLangHref: `${url.pathname}${url.search}`,
    assets: c.get('deps').webAssets,
    href: (p) => localHref(p, lang, explicit),
  };
}

/**
 * The frame of every page: the site stylesheet, the header with the language switch, and the
 * page's own scripts and styles (built files, by their plain names).
 */
export function Layout(props: {
  ctx: PageContext;
  title: string;
  scripts?: string[];
  styles?: string[];
  wide?: boolean;
  children: Child;
}) {
  const { ctx } = props;
  const t = siteDict[ctx.lang];
  const other: Lang = ctx.lang === 'en' ? 'zh-CN' : 'en';
  const styles = ['site.css', ...(props.styles ?? [])].map((s) => assetUrl(ctx.assets, s)).filter(Boolean);
  const scripts = (props.scripts ?? []).map((s) => assetUrl(ctx.assets, s)).filter(Boolean);
  return (
    <html lang={ctx.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · ${t.brand}`}</title>
        {styles.map((href) => (
          <link rel="stylesheet" href={href!} />
        ))}
        {scripts.map((src) => (
          <script type="module" src={src!} />
        ))}
      </head>
      <body>
        <a class="skip" href="#main">
          {t.skip}
        </a>
        <header class="site">
          <nav aria-label={t.brand}>
            <a class="brand" href={ctx.href('/')}>
              {t.brand}
            </a>
            <a href={ctx.href('/board')}>{t.board}</a>
            <a href="/log/checkpoint">{t.checkpoint}</a>
            <a href={ctx.href('/docs')}>{t.docs}</a>
            <a class="lang" href={ctx.otherLangHref} hreflang={other} lang={other}>
              {t.switchLang}
            </a>
          </nav>
        </header>
        <main id="main" class={props.wide ? 'wide' : undefined}>
          {props.children}
        </main>
        <footer class="site">{t.footer}</footer>
      </body>
    </html>
  );
}
