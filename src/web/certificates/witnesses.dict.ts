import type { Dictionary } from '../i18n.js';

/** The certificate pages' witness panel (witnesses-panel.tsx, browser/certificate-cosigners.ts). */
export const witnessesDict: Dictionary<
  | 'title'
  | 'intro'
  | 'waiting'
  | 'skipped'
  | 'witness'
  | 'keyId'
  | 'cosignedAt'
  | 'check'
  | 'valid'
  | 'invalid'
  | 'unknown'
  | 'missing'
  | 'met'
  | 'notMet'
  | 'noPolicy'
> = {
  'zh-CN': {
    title: '见证人联署',
    intro:
      '独立的见证人（如知识产权局、交易所、法院技术部门）核对检查点与其此前联署的一致后才会联署（C2SP tlog-witness）。下表由浏览器用本站配置的见证人公钥核验。',
    waiting: '包含证明验证后核对联署。',
    skipped: '未核对联署：包含证明未通过验证。',
    witness: '见证人',
    keyId: '密钥 ID',
    cosignedAt: '联署时间',
    check: '核验',
    valid: '✓ 与配置的公钥相符',
    invalid: '✗ 签名无效',
    unknown: '未配置的密钥，不计入',
    missing: '此检查点上没有其联署',
    met: '达到法定数：{valid} 个有效联署，要求 {quorum} 个（共 {total} 个见证人）。',
    notMet: '未达到法定数：{valid} 个有效联署，要求 {quorum} 个（共 {total} 个见证人）。',
    noPolicy: '本站未配置见证人：检查点只有日志自己的签名。',
  },
  en: {
    title: 'Witness cosignatures',
    intro:
      'Independent witnesses (an IP office, an exchange, a court’s technical service) cosign a checkpoint only after checking it is consistent with the one they cosigned before (C2SP tlog-witness). Your browser checks the lines below against the witness keys this site is configured with.',
    waiting: 'Cosignatures are checked once the inclusion proof verifies.',
    skipped: 'Cosignatures not checked: the inclusion proof did not verify.',
    witness: 'Witness',
    keyId: 'Key ID',
    cosignedAt: 'Cosigned at',
    check: 'Check',
    valid: '✓ valid for the configured key',
    invalid: '✗ does not verify',
    unknown: 'key not configured here, not counted',
    missing: 'no cosignature on this checkpoint',
    met: 'Quorum met: {valid} valid cosignatures, {quorum} required (of {total} witnesses).',
    notMet: 'Quorum not met: {valid} valid cosignatures, {quorum} required (of {total} witnesses).',
    noPolicy: 'This site has no witnesses configured: the checkpoint carries the log’s signature alone.',
  },
};
