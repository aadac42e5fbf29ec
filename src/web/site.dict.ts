import type { Dictionary } from './i18n.js';

/** Strings of the frame every page shares (header, footer). */
export const siteDict: Dictionary<'brand' | 'home' | 'board' | 'docs' | 'checkpoint' | 'switchLang' | 'footer' | 'skip'> = {
  'zh-CN': {
    brand: '海派 Haipai',
    home: '首页',
    board: '交易看板',
    docs: 'API 参考',
    checkpoint: '日志检查点',
    switchLang: 'English',
    footer: '海派：虚拟时尚知识产权登记与透明交易看板。所有记录写入可公开验证的透明日志。',
    skip: '跳到正文',
  },
  en: {
    brand: 'Haipai 海派',
    home: 'Home',
    board: 'Board',
    docs: 'API reference',
    checkpoint: 'Log checkpoint',
    switchLang: '中文',
    footer:
      'Haipai: virtual fashion IP registry and transparent trade board. Every record goes into a publicly verifiable transparency log.',
    skip: 'Skip to content',
  },
};
