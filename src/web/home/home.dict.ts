import type { Dictionary } from '../i18n.js';

export const homeDict: Dictionary<
  | 'title'
  | 'lead'
  | 'what'
  | 'boardTitle'
  | 'boardText'
  | 'logTitle'
  | 'logText'
  | 'docsTitle'
  | 'docsText'
  | 'verifyTitle'
  | 'verifyText'
  | 'size'
> = {
  'zh-CN': {
    title: '海派：虚拟时尚知识产权登记与交易看板',
    lead: '为数字服装、数字虚拟人和数字藏品登记权属、公示审查，并在公开透明的看板上流通。',
    what: '创作者登记作品及其来源、权利人和授权条款；知识产权审查员审核并公示；平台通过 API 代其用户挂牌、出价、购买和赠送。每一次登记与所有权变更都写入透明日志（RFC 6962 默克尔树，C2SP 签名检查点），任何人都可以不依赖运营方自行验证。',
    boardTitle: '交易看板',
    boardText: '在售挂牌、最近成交和按品类的每日价格指数。',
    logTitle: '透明日志检查点',
    logText: '最新签名的日志树根；证书页在浏览器中据此验证。',
    docsTitle: 'API 参考',
    docsText: '全部接口、请求示例和错误码，无需外网即可浏览。',
    verifyTitle: '离线验证',
    verifyText: '下载任意证书的 .tlog-proof 文件，用 npm run verify 对照日志公钥检查。',
    size: '当前日志大小',
  },
  en: {
    title: 'Haipai: virtual fashion IP registry and trade board',
    lead: 'Registers the rights in digital garments, virtual humans and digital collectibles, reviews them in public, and lets them trade on a transparent board.',
    what: 'Creators register works with their provenance, rights holder and licence; IP officials review them and publish a notice; platforms list, bid, buy and gift through the API for their users. Every registration and change of owner goes into a transparency log (RFC 6962 Merkle tree, C2SP signed checkpoints) that anyone can check without trusting the operator.',
    boardTitle: 'Trade board',
    boardText: 'Open listings, recent trades and a daily price index by category.',
    logTitle: 'Log checkpoint',
    logText: 'The latest signed root of the log; certificate pages verify against it in your browser.',
    docsTitle: 'API reference',
    docsText: 'Every operation, request examples and error codes, readable offline.',
    verifyTitle: 'Verify offline',
    verifyText: "Download any certificate's .tlog-proof file and check it against the log key with npm run verify.",
    size: 'Current log size',
  },
};
