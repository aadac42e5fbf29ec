import type { Dictionary } from '../i18n.js';

export const consoleDict: Dictionary<
  | 'title'
  | 'signIn'
  | 'signInLead'
  | 'apiKey'
  | 'signOut'
  | 'badKey'
  | 'unavailable'
  | 'signedInAs'
  | 'official'
  | 'operator'
  | 'queue'
  | 'queueEmpty'
  | 'submitted'
  | 'screening'
  | 'notScreened'
  | 'flagged'
  | 'clean'
  | 'submittedImage'
  | 'match'
  | 'distance'
  | 'identical'
  | 'contradictions'
  | 'objections'
  | 'noObjections'
  | 'reviews'
  | 'start'
  | 'approve'
  | 'reject'
  | 'reason'
  | 'done'
  | 'failed'
  | 'audit'
  | 'unitId'
  | 'at'
  | 'ownerAt'
  | 'lookUp'
  | 'ownerWas'
  | 'freezes'
  | 'noFreezes'
  | 'freeze'
  | 'lift'
  | 'active'
  | 'lifted'
  | 'cause'
  | 'assetId'
  | 'provenance'
  | 'ancestors'
  | 'accessLog'
  | 'operatorOnly'
  | 'path'
  | 'status'
  | 'when'
  | 'who'
  | 'work'
> = {
  'zh-CN': {
    title: '审查员控制台',
    signIn: '登录',
    signInLead:
      '使用审查员（或运营方）的 API 密钥登录。密钥加密保存在仅限本站、仅限 HTTP 的会话 Cookie 中，不出现在网址或日志里。',
    apiKey: 'API 密钥',
    signOut: '退出',
    badKey: '此密钥不是有效的审查员或运营方密钥。',
    unavailable: '此部署未配置 OPERATOR_API_KEY，控制台不可用。',
    signedInAs: '已登录：',
    official: '审查员',
    operator: '运营方',
    queue: '审查队列',
    queueEmpty: '没有待审查的作品。',
    submitted: '提交时间',
    screening: '筛查结果',
    notScreened: '尚未筛查',
    flagged: '发现相似作品',
    clean: '未发现相似作品',
    submittedImage: '提交的图像',
    match: '相似作品',
    distance: '汉明距离',
    identical: '完全相同的文件',
    contradictions: '授权条款冲突',
    objections: '异议',
    noObjections: '无异议',
    reviews: '审查记录',
    start: '开始审查',
    approve: '通过并公示',
    reject: '驳回',
    reason: '理由',
    done: '已完成：',
    failed: '操作失败：',
    audit: '权属审计',
    unitId: '单品 ID',
    at: '时间（UTC）',
    ownerAt: '某一时刻的所有者',
    lookUp: '查询',
    ownerWas: '当时的所有者：',
    freezes: '冻结',
    noFreezes: '没有冻结记录。',
    freeze: '冻结',
    lift: '解除',
    active: '生效中',
    lifted: '已解除',
    cause: '原因类型',
    assetId: '作品 ID',
    provenance: '作品完整来源',
    ancestors: '来源作品',
    accessLog: '访问日志',
    operatorOnly: '只有运营方可以查看审查员的访问日志。',
    path: '路径',
    status: '状态',
    when: '时间',
    who: '审查员',
    work: '作品',
  },
  en: {
    title: "Officials' console",
    signIn: 'Sign in',
    signInLead:
      "Sign in with an official's (or the operator's) API key. The key is kept encrypted in an HttpOnly session cookie for this site only; it never appears in a URL or a log.",
    apiKey: 'API key',
    signOut: 'Sign out',
    badKey: "This is not a valid official's or operator's key.",
    unavailable: 'This deployment has no OPERATOR_API_KEY; the console is unavailable.',
    signedInAs: 'Signed in as',
    official: 'official',
    operator: 'operator',
    queue: 'Review queue',
    queueEmpty: 'No work awaits review.',
    submitted: 'Submitted',
    screening: 'Screening',
    notScreened: 'Not screened yet',
    flagged: 'Similar works found',
    clean: 'No similar work found',
    submittedImage: 'Submitted image',
    match: 'Similar work',
    distance: 'Hamming distance',
    identical: 'identical file',
    contradictions: 'Licence contradictions',
    objections: 'Objections',
    noObjections: 'No objection',
    reviews: 'Review decisions',
    start: 'Start review',
    approve: 'Approve for public notice',
    reject: 'Reject',
    reason: 'Reason',
    done: 'Done:',
    failed: 'Refused:',
    audit: 'Ownership audit',
    unitId: 'Unit id',
    at: 'Time (UTC)',
    ownerAt: 'Owner at a given time',
    lookUp: 'Look up',
    ownerWas: 'Owner then:',
    freezes: 'Freezes',
    noFreezes: 'No freezes.',
    freeze: 'Freeze',
    lift: 'Lift',
    active: 'active',
    lifted: 'lifted',
    cause: 'Cause',
    assetId: 'Work id',
    provenance: "A work's full provenance",
    ancestors: 'Ancestors',
    accessLog: 'Access log',
    operatorOnly: "Only the operator may read the officials' access log.",
    path: 'Path',
    status: 'Status',
    when: 'When',
    who: 'Official',
    work: 'Work',
  },
};
