import type { Dictionary } from '../i18n.js';

export const worksDict: Dictionary<
  | 'work'
  | 'unit'
  | 'kind'
  | 'category'
  | 'status'
  | 'registrationNumber'
  | 'registeredAt'
  | 'rightsHolder'
  | 'creators'
  | 'share'
  | 'identityCode'
  | 'claimedCreatedOn'
  | 'originality'
  | 'licence'
  | 'timeline'
  | 'noticeUntil'
  | 'noticeOpen'
  | 'lineage'
  | 'parents'
  | 'children'
  | 'none'
  | 'notPublic'
  | 'editions'
  | 'size'
  | 'minted'
  | 'preset'
  | 'royalty'
  | 'previews'
  | 'files'
  | 'certificate'
  | 'logIndex'
  | 'pending'
  | 'owners'
  | 'owner'
  | 'from'
  | 'to'
  | 'via'
  | 'at'
  | 'frozen'
  | 'mint'
  | 'gift'
  | 'trade'
  | 'ofWork'
  | 'lic.commercial.none'
  | 'lic.commercial.personal'
  | 'lic.commercial.corporate'
  | 'lic.derivatives.yes'
  | 'lic.derivatives.no'
  | 'lic.attribution.yes'
  | 'lic.attribution.no'
  | 'lic.transferable.yes'
  | 'lic.transferable.no'
  | 'lic.redistribution.yes'
  | 'lic.redistribution.no'
  | 'lic.avatar.only_author'
  | 'lic.avatar.only_separately_licensed'
  | 'lic.avatar.everyone'
  | 'lic.avatar.uses'
  | 'lic.avatar.violent'
  | 'lic.avatar.sexual'
  | 'lic.avatar.political'
  | 'lic.avatar.allowed'
  | 'lic.avatar.forbidden'
  | 'ev.asset.created'
  | 'ev.asset.submitted'
  | 'ev.asset.review_started'
  | 'ev.asset.approved'
  | 'ev.asset.objection_filed'
  | 'ev.asset.rejected'
  | 'ev.asset.registered'
  | 'ev.asset.revoked'
  | 'ev.asset.rights_transferred'
  | 'casePending'
  | 'casePendingDetail'
  | 'revoked'
  | 'revokedNotice'
> = {
  'zh-CN': {
    work: '作品',
    unit: '单品',
    kind: '类型',
    category: '品类',
    status: '状态',
    registrationNumber: '登记号',
    registeredAt: '登记时间',
    rightsHolder: '权利人',
    creators: '创作者及分成',
    share: '分成',
    identityCode: '虚拟人身份码',
    claimedCreatedOn: '声明创作日期',
    originality: '原创声明',
    licence: '授权条款',
    timeline: '审查时间线',
    noticeUntil: '公示期至',
    noticeOpen: '公示期内任何人都可以提出异议，作品将退回审查。',
    lineage: '衍生关系',
    parents: '来源作品',
    children: '衍生作品',
    none: '无',
    notPublic: '（未公开）',
    editions: '发行版次',
    size: '数量',
    minted: '已铸造',
    preset: '流转规则',
    royalty: '版税',
    previews: '预览',
    files: '文件（SHA-256）',
    certificate: '登记证书（在浏览器中验证）',
    logIndex: '日志序号',
    pending: '待写入日志',
    owners: '所有权链',
    owner: '当前所有者',
    from: '转出方',
    to: '接收方',
    via: '方式',
    at: '时间',
    frozen: '已冻结',
    mint: '铸造',
    gift: '赠送',
    trade: '交易',
    ofWork: '所属作品',
    'lic.commercial.none': '不得商用。',
    'lic.commercial.personal': '允许个人商用，不允许企业商用。',
    'lic.commercial.corporate': '允许个人与企业商用。',
    'lic.derivatives.yes': '允许二次创作；衍生作品须向本作品权利人支付其版税的 {bps}。',
    'lic.derivatives.no': '不允许二次创作。',
    'lic.attribution.yes': '使用时须署名。',
    'lic.attribution.no': '使用时无须署名。',
    'lic.transferable.yes': '权利可随作品转让。',
    'lic.transferable.no': '权利不可转让。',
    'lic.redistribution.yes': '允许再分发文件。',
    'lic.redistribution.no': '不允许再分发文件。',
    'lic.avatar.only_author': '只有作者本人可以扮演此形象。',
    'lic.avatar.only_separately_licensed': '只有另获授权者可以扮演此形象。',
    'lic.avatar.everyone': '任何人都可以扮演此形象。',
    'lic.avatar.uses': '暴力用途：{violent}；性相关用途：{sexual}；政治或宗教用途：{political}。',
    'lic.avatar.violent': '暴力用途',
    'lic.avatar.sexual': '性相关用途',
    'lic.avatar.political': '政治或宗教用途',
    'lic.avatar.allowed': '允许',
    'lic.avatar.forbidden': '不允许',
    'ev.asset.created': '创建草稿',
    'ev.asset.submitted': '提交登记',
    'ev.asset.review_started': '开始审查',
    'ev.asset.approved': '审查通过，进入公示',
    'ev.asset.objection_filed': '收到异议，退回审查',
    'ev.asset.rejected': '驳回',
    'ev.asset.registered': '公示期满，正式登记',
    'ev.asset.revoked': '经知识产权案件裁决，撤销登记',
    'ev.asset.rights_transferred': '经知识产权案件裁决，权利人变更',
    casePending: '知识产权案件审理中',
    casePendingDetail: '该作品涉及正在处理的侵权投诉，暂停展示与交易。案件编号',
    revoked: '登记已撤销',
    revokedNotice: '该作品的登记已因知识产权案件裁决被撤销，不得再交易。',
  },
  en: {
    work: 'Work',
    unit: 'Unit',
    kind: 'Kind',
    category: 'Category',
    status: 'Status',
    registrationNumber: 'Registration number',
    registeredAt: 'Registered',
    rightsHolder: 'Rights holder',
    creators: 'Creators and shares',
    share: 'Share',
    identityCode: 'Virtual human identity code',
    claimedCreatedOn: 'Claimed creation date',
    originality: 'Originality statement',
    licence: 'Licence',
    timeline: 'Review timeline',
    noticeUntil: 'Public notice until',
    noticeOpen: 'During the notice anyone may object; the work then returns to review.',
    lineage: 'Derivation',
    parents: 'Derived from',
    children: 'Derivatives',
    none: 'None',
    notPublic: '(not public)',
    editions: 'Editions',
    size: 'Size',
    minted: 'Minted',
    preset: 'Transfer rules',
    royalty: 'Royalty',
    previews: 'Previews',
    files: 'Files (SHA-256)',
    certificate: 'Registration certificate (verified in your browser)',
    logIndex: 'Log index',
    pending: 'awaiting the log',
    owners: 'Chain of owners',
    owner: 'Current owner',
    from: 'From',
    to: 'To',
    via: 'How',
    at: 'When',
    frozen: 'Frozen',
    mint: 'Minted',
    gift: 'Gift',
    trade: 'Trade',
    ofWork: 'Work',
    'lic.commercial.none': 'No commercial use.',
    'lic.commercial.personal': 'Commercial use by individuals, not by companies.',
    'lic.commercial.corporate': 'Commercial use by individuals and companies.',
    'lic.derivatives.yes': "Derivative works allowed; a derivative owes this work's rights holder {bps} of its royalties.",
    'lic.derivatives.no': 'No derivative works.',
    'lic.attribution.yes': 'Credit the creators when using it.',
    'lic.attribution.no': 'No credit required.',
    'lic.transferable.yes': 'The rights pass on with the work.',
    'lic.transferable.no': 'The rights cannot be transferred.',
    'lic.redistribution.yes': 'The files may be redistributed.',
    'lic.redistribution.no': 'The files may not be redistributed.',
    'lic.avatar.only_author': 'Only the author may perform as this avatar.',
    'lic.avatar.only_separately_licensed': 'Only those separately licensed may perform as this avatar.',
    'lic.avatar.everyone': 'Anyone may perform as this avatar.',
    'lic.avatar.uses': 'Violent use: {violent}; sexual use: {sexual}; political or religious use: {political}.',
    'lic.avatar.violent': 'violent use',
    'lic.avatar.sexual': 'sexual use',
    'lic.avatar.political': 'political or religious use',
    'lic.avatar.allowed': 'allowed',
    'lic.avatar.forbidden': 'not allowed',
    'ev.asset.created': 'Draft created',
    'ev.asset.submitted': 'Submitted for registration',
    'ev.asset.review_started': 'Review started',
    'ev.asset.approved': 'Approved; public notice opens',
    'ev.asset.objection_filed': 'Objection filed; back to review',
    'ev.asset.rejected': 'Rejected',
    'ev.asset.registered': 'Notice over; registered',
    'ev.asset.revoked': 'Registration revoked by an IP case',
    'ev.asset.rights_transferred': 'Rights holder changed by an IP case',
    casePending: 'IP case pending',
    casePendingDetail:
      'An infringement complaint against this work is being handled; it is off the board and its trading suspended. Case',
    revoked: 'Registration revoked',
    revokedNotice: 'The registration of this work was revoked by a decision in an IP case; it can no longer be traded.',
  },
};
