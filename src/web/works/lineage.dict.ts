import type { Dictionary } from '../i18n.js';

export const lineageDict: Dictionary<'note' | 'self' | 'cut' | 'notPublic' | 'alone' | 'graph'> = {
  'zh-CN': {
    note: '上方是本作品所衍生自的作品（逐代向上），下方是衍生自本作品的作品；连线从一件作品指向由它衍生的作品。',
    self: '本作品',
    cut: '更早的来源作品未在图中列出。',
    notPublic: '未公开',
    alone: '本作品不衍生自其他作品，也还没有公开的衍生作品。',
    graph: '衍生关系图',
  },
  en: {
    note: 'Above: the works this one derives from, generation by generation; below: the works derived from it. Each line runs from a work to one derived from it.',
    self: 'this work',
    cut: 'Earlier generations are not drawn.',
    notPublic: 'not public',
    alone: 'This work derives from no other, and no public work derives from it yet.',
    graph: 'Derivation graph',
  },
};
