import type { Dictionary } from '../i18n.js';

export const boardDict: Dictionary<
  | 'title'
  | 'listings'
  | 'trades'
  | 'chart'
  | 'chartNote'
  | 'noListings'
  | 'noTrades'
  | 'noChart'
  | 'filter'
  | 'any'
  | 'kind'
  | 'category'
  | 'currency'
  | 'listingKind'
  | 'minPrice'
  | 'maxPrice'
  | 'sort'
  | 'work'
  | 'edition'
  | 'price'
  | 'ends'
  | 'market'
  | 'seller'
  | 'buyer'
  | 'settled'
  | 'certificate'
  | 'next'
  | 'day'
  | 'sealedPrice'
  | 'pseudonyms'
  | 'badQuery'
  | 'remaining'
> = {
  'zh-CN': {
    title: '交易看板',
    listings: '在售挂牌',
    trades: '最近成交',
    chart: '价格指数（按品类每日中位价）',
    chartNote: '最近 30 天已结算交易的每日中位成交价；下表列出相同数据。',
    noListings: '没有符合条件的在售挂牌。',
    noTrades: '还没有成交。',
    noChart: '最近 30 天没有成交。',
    filter: '筛选',
    any: '全部',
    kind: '作品类型',
    category: '品类',
    currency: '币种',
    listingKind: '交易方式',
    minPrice: '最低价（最小货币单位）',
    maxPrice: '最高价（最小货币单位）',
    sort: '排序',
    work: '作品',
    edition: '编号',
    price: '价格',
    ends: '结束时间',
    market: '方式',
    seller: '卖方',
    buyer: '买方',
    settled: '结算时间',
    certificate: '证书',
    next: '下一页',
    day: '日期',
    sealedPrice: '密封出价',
    pseudonyms: '交易方以假名显示：p_ 加 SHA-256("haipai-board:" + 账户 ID) 的前 16 位十六进制。',
    badQuery: '筛选条件无效：',
    remaining: '首发，余 {n} / {size}',
  },
  en: {
    title: 'Trade board',
    listings: 'Open listings',
    trades: 'Recent trades',
    chart: 'Price index (daily median by category)',
    chartNote: 'Daily median price of settled trades over the last 30 days; the table below holds the same figures.',
    noListings: 'No open listing matches.',
    noTrades: 'No trades yet.',
    noChart: 'No trades in the last 30 days.',
    filter: 'Filter',
    any: 'Any',
    kind: 'Kind of work',
    category: 'Category',
    currency: 'Currency',
    listingKind: 'Sale',
    minPrice: 'Min price (minor units)',
    maxPrice: 'Max price (minor units)',
    sort: 'Sort',
    work: 'Work',
    edition: 'Unit',
    price: 'Price',
    ends: 'Ends',
    market: 'Sale',
    seller: 'Seller',
    buyer: 'Buyer',
    settled: 'Settled',
    certificate: 'Certificate',
    next: 'Next page',
    day: 'Day',
    sealedPrice: 'sealed bids',
    pseudonyms: 'Parties appear as pseudonyms: p_ + the first 16 hex digits of SHA-256("haipai-board:" + account id).',
    badQuery: 'The filter is invalid:',
    remaining: 'Primary, {n} of {size} left',
  },
};
