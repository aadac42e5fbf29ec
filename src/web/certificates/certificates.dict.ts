import type { Dictionary } from '../i18n.js';

export const certificatesDict: Dictionary<
  | 'workTitle'
  | 'tradeTitle'
  | 'verify'
  | 'noscript'
  | 'pending'
  | 'running'
  | 'verified'
  | 'failed'
  | 'step.key'
  | 'step.checkpoint'
  | 'step.proof'
  | 'step.entry'
  | 'download'
  | 'offline'
  | 'logIndex'
  | 'eventId'
  | 'work'
  | 'unit'
  | 'price'
  | 'seller'
  | 'buyer'
  | 'settled'
  | 'market'
> = {
  'zh-CN': {
    workTitle: '作品登记证书',
    tradeTitle: '交易证书',
    verify: '浏览器内验证',
    noscript: '在浏览器中验证需要 JavaScript。也可以下载证明文件，用 npm run verify 离线验证。',
    pending: '该事件尚未写入已签名的日志检查点，请稍后刷新。',
    running: '正在验证……',
    verified: '已验证：日志大小 {size} 时的签名检查点包含此记录。',
    failed: '验证失败：',
    'step.key': '读取日志公钥（/log/vkey）',
    'step.checkpoint': '最新检查点的 Ed25519 签名有效（/log/checkpoint）',
    'step.proof': '证明中的检查点签名有效，重新计算的条目哈希经包含证明得到签名的树根',
    'step.entry': '条目正是本证书所述的事件',
    download: '下载 .tlog-proof 证明文件',
    offline: '离线验证：npm run verify -- 文件.tlog-proof --vkey "$(curl -s <站点>/log/vkey)"',
    logIndex: '日志序号',
    eventId: '事件',
    work: '作品',
    unit: '单品',
    price: '成交价',
    seller: '卖方',
    buyer: '买方',
    settled: '结算时间',
    market: '方式',
  },
  en: {
    workTitle: 'Registration certificate',
    tradeTitle: 'Trade certificate',
    verify: 'Verified in your browser',
    noscript:
      'Verifying in the browser needs JavaScript. You can download the proof file and check it offline with npm run verify.',
    pending: 'This event is not in a signed checkpoint yet; reload in a moment.',
    running: 'Verifying…',
    verified: 'Verified at tree size {size}: the signed checkpoint includes this record.',
    failed: 'Verification failed:',
    'step.key': 'Read the log key (/log/vkey)',
    'step.checkpoint': 'The latest checkpoint carries a valid Ed25519 signature (/log/checkpoint)',
    'step.proof': "The proof's checkpoint is signed, and the re-hashed entry leads to its root by the inclusion proof",
    'step.entry': 'The entry is the event this certificate is about',
    download: 'Download the .tlog-proof file',
    offline: 'Offline: npm run verify -- file.tlog-proof --vkey "$(curl -s <host>/log/vkey)"',
    logIndex: 'Log index',
    eventId: 'Event',
    work: 'Work',
    unit: 'Unit',
    price: 'Price',
    seller: 'Seller',
    buyer: 'Buyer',
    settled: 'Settled',
    market: 'Sale',
  },
};
