import type { Dictionary } from './i18n.js';
import { Layout, type PageContext } from './layout.js';

const errorDict: Dictionary<'notFound' | 'badRequest' | 'other' | 'back'> = {
  'zh-CN': { notFound: '找不到此页面或记录', badRequest: '请求无效', other: '出错了', back: '返回交易看板' },
  en: { notFound: 'No such page or record', badRequest: 'Bad request', other: 'Something went wrong', back: 'Back to the board' },
};

/** A page's refusal in HTML: the same status and problem code the API would answer with. */
export function ErrorPage({ ctx, status, code, detail }: { ctx: PageContext; status: number; code: string; detail: string }) {
  const t = errorDict[ctx.lang];
  const title = status === 404 ? t.notFound : status < 500 ? t.badRequest : t.other;
  return (
    <Layout ctx={ctx} title={title}>
      <h1>{title}</h1>
      <p class="card" data-code={code}>
        <code>{code}</code>: {detail}
      </p>
      <p>
        <a href={ctx.href('/board')}>{t.back}</a>
      </p>
    </Layout>
  );
}
