import type { Dictionary } from '../i18n.js';

export const docsDict: Dictionary<'title' | 'intro' | 'raw' | 'flows' | 'noscript'> = {
  'zh-CN': {
    title: 'API 参考',
    intro: '接口说明由 /openapi.json 生成；下方示例覆盖主要流程。需要密钥的接口使用 Authorization: Bearer <密钥>。',
    raw: 'OpenAPI 文档（JSON）',
    flows: '主要流程示例',
    noscript: '交互式参考需要 JavaScript；也可以直接阅读 /openapi.json。',
  },
  en: {
    title: 'API reference',
    intro:
      'Generated from /openapi.json; the examples below walk the main flows. Keyed operations take Authorization: Bearer <key>.',
    raw: 'OpenAPI document (JSON)',
    flows: 'Main flows, by example',
    noscript: 'The interactive reference needs JavaScript; /openapi.json is readable as is.',
  },
};
