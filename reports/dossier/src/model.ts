/**
 * The dossier as a small document model (headings, paragraphs, lists, tables,
 * images), built once from the case and rendered to HTML and to .docx, so the
 * two say the same thing.
 */
import type { CaseData } from '@govscan/case';
import { chinaDate, chinaTime } from './time.js';

export type Block =
  | { kind: 'title'; text: string }
  | { kind: 'h'; text: string }
  | { kind: 'p'; text: string; bold?: boolean; right?: boolean }
  | { kind: 'list'; items: string[] }
  | { kind: 'table'; header: string[]; rows: string[][]; mono?: number[] }
  | { kind: 'images'; items: { path: string | null; caption: string }[] };

export interface DossierDoc {
  title: string;
  blocks: Block[];
}

const NUM = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '十一', '十二'];

function section(blocks: Block[], counter: { n: number }, text: string): void {
  blocks.push({ kind: 'h', text: `${NUM[counter.n++]}、${text}` });
}

const LOOKALIKE_ZH: Record<string, string> = { 'suffix-appended': '追加后缀', 'dot-to-hyphen': '点号改连字符', 'tld-swap': '更换后缀', 'label-embedded': '嵌入标识', typo: '近似拼写', homoglyph: '形近字符', 'same-host': '相同域名' };

export function dnsLines(data: CaseData): string[][] {
  return data.capture.dns
    .filter((d) => d.status !== 'nodata' || d.name === data.reported.host)
    .map((d) => [d.name, d.type, d.status === 'ok' ? d.answers.map((a) => a.data).join('；') : d.status.toUpperCase(), chinaTime(d.at)]);
}

function genuineFacts(data: CaseData): string[][] {
  const s = data.attribution.site;
  if (!s) return [];
  const g = data.genuine;
  const conac = g?.tokens?.conac[0] ?? null;
  return [
    ['网站名称', s.name],
    ['网站标识码', s.code],
    ['主办单位', s.unit],
    ['网址（域名）', s.urls.join('  ')],
    ['ICP备案号', s.icp ?? g?.tokens?.icp[0] ?? '名录未登记'],
    ['公安机关备案号', s.psb ?? g?.tokens?.psb[0] ?? '名录未登记'],
    ['党政机关网站标识（CONAC）', conac ? `有（标识编号 ${conac}）` : g?.tokens ? '页面未显示' : '未取得真实网站页面'],
    ['取证时状态', g ? (g.status !== null ? `HTTP ${g.status}` : `无法访问（${g.error?.code ?? ''}）`) : '未访问'],
  ];
}

export function buildDossier(data: CaseData): DossierDoc {
  const s = data.attribution.site;
  const title = `关于仿冒“${s?.name ?? '政府网站'}”网站的情况报告`;
  const b: Block[] = [{ kind: 'title', text: title }];
  const c = { n: 0 };
  b.push({ kind: 'p', text: `${data.config.addressee}：`, bold: true });
  b.push({
    kind: 'p',
    text: `${data.config.foundVia ? `我单位通过${data.config.foundVia}` : '我单位'}发现一个仿冒${s ? `“${s.name}”（网站标识码 ${s.code}）` : '政府网站'}的网站 ${data.reported.url}。经核实，现将有关情况报告如下，请予以处置。`,
  });
  section(b, c, '基本情况');
  b.push({
    kind: 'table',
    header: ['项目', '内容'],
    rows: [
      ['案件编号', data.id],
      ['发现途径', data.config.foundVia],
      ['首次发现时间', data.config.firstSeenAt ? chinaTime(data.config.firstSeenAt) : `不晚于 ${chinaTime(data.capture.at)}（首次取证时间）`],
      ['取证时间', chinaTime(data.capture.at)],
      ['取证时状态', data.capture.livenessZh],
      ['报送单位', data.config.reportingUnit],
      ['联系人及电话', `${data.config.contact.name}  ${data.config.contact.phone}${data.config.contact.email ? `  ${data.config.contact.email}` : ''}`],
      ...(data.config.reference ? [['文号', data.config.reference]] : []),
    ],
  });
  section(b, c, '被仿冒的真实网站');
  if (s) b.push({ kind: 'table', header: ['项目', '内容'], rows: genuineFacts(data) });
  else b.push({ kind: 'p', text: '未能将该网站对应到本单位政府网站名录中的任何网站。' });
  section(b, c, '仿冒网站');
  const urls = [...new Set([data.reported.url, ...data.capture.exchanges.map((e) => e.url)])];
  const servers = [...new Set(data.capture.exchanges.map((e) => e.server).filter((x): x is string => !!x))];
  const ns = [...new Set(data.capture.dns.filter((d) => d.type === 'NS' && d.status === 'ok').flatMap((d) => d.answers.map((a) => a.data)))];
  b.push({
    kind: 'table',
    header: ['项目', '内容'],
    rows: [
      ['仿冒域名', data.reported.unicodeHost !== data.reported.host ? `${data.reported.host}（${data.reported.unicodeHost}）` : data.reported.host],
      ['涉及网址', urls.join('\n')],
      ['域名仿冒方式', data.attribution.lookalike ? `${LOOKALIKE_ZH[data.attribution.lookalike.kind] ?? data.attribution.lookalike.kind}：${data.attribution.lookalike.zh}` : '未识别出与真实域名的变形关系'],
      ['解析地址（IP）', data.capture.addresses.length ? data.capture.addresses.join('、') : '无'],
      ['域名服务器（NS）', ns.length ? ns.join('、') : '未取得'],
      ['Web服务器标识', servers.length ? servers.join('、') : '未取得'],
      ['HTTPS证书', data.capture.tls ? (data.capture.tls.chain[0] ? `${data.capture.tls.chain[0].subject}；签发者 ${data.capture.tls.chain[0].issuer}；有效期 ${chinaTime(data.capture.tls.chain[0].validFrom)} 至 ${chinaTime(data.capture.tls.chain[0].validTo)}${data.capture.tls.authorized ? '' : `；不受信任（${data.capture.tls.authorizationError ?? ''}）`}` : `未取得（${data.capture.tls.error?.code ?? ''}）`) : '未使用HTTPS'],
      ['ICP备案号', data.attribution.icpStatus === 'stolen' ? '盗用真实网站的备案号' : data.attribution.icpStatus === 'other' ? '显示了其他备案号' : '未显示'],
      ['公安机关备案号', data.attribution.psbStatus === 'stolen' ? '盗用真实网站的备案号' : data.attribution.psbStatus === 'other' ? '显示了其他备案号' : '未显示'],
      ['不同客户端对比', data.capture.cloaking.suspected ? `疑似针对不同客户端显示不同内容：${data.capture.cloaking.differences.join('；')}` : '桌面与手机客户端看到的内容一致'],
    ],
  });
  b.push({ kind: 'p', text: 'DNS解析记录（取证时）：' });
  b.push({ kind: 'table', header: ['名称', '类型', '结果', '查询时间'], rows: dnsLines(data) });
  section(b, c, '认定为仿冒的依据');
  b.push({ kind: 'list', items: [...data.attribution.reasonsZh, ...(data.genuine?.similarity !== null && data.genuine?.similarity !== undefined ? [`页面文字与真实网站的相似度为 ${(data.genuine.similarity * 100).toFixed(0)}%`] : [])] });
  section(b, c, '页面对比');
  const shot = (profile: string): string | null => data.capture.browser.find((x) => x.profile === profile)?.files.viewport ?? null;
  if (data.capture.browser.some((x) => x.files.viewport)) {
    b.push({ kind: 'images', items: [{ path: shot('genuine'), caption: `真实网站 ${s?.urls[0] ?? ''}` }, { path: shot('desktop'), caption: `仿冒网站（桌面浏览器）${data.reported.url}` }, { path: shot('mobile'), caption: `仿冒网站（手机浏览器）${data.reported.url}` }] });
  } else b.push({ kind: 'p', text: '本次未截取页面截图（见“未能取得的证据”）。页面原始内容见证据清单中的HTTP交换记录。' });
  section(b, c, '危害');
  b.push({ kind: 'list', items: data.harmZh.length ? data.harmZh : ['取证时未发现收集信息的表单；仿冒政府网站本身即误导公众。'] });
  section(b, c, '请求事项');
  b.push({
    kind: 'list',
    items: [
      `请协调域名注册服务机构和域名解析服务机构停止 ${hostsList(data)} 的域名解析；`,
      '请协调接入服务商关停该网站，并保存相关日志；',
      '请在本省网络中对上述域名及其解析地址实施访问阻断；',
      `我单位已同时向${data.config.police}报案（报案材料附后）。`,
    ],
  });
  section(b, c, '证据清单');
  b.push({ kind: 'p', text: `以下证据由 ${data.tool.name} ${data.tool.version} 在取证时自动保存并计算 SHA-256 散列值；证据文件中的时间为协调世界时（UTC），本表同时给出北京时间。` });
  b.push({ kind: 'table', header: ['文件', '内容', 'SHA-256', '取证时间'], rows: data.evidence.map((e) => [e.path, e.zh, e.sha256, `${chinaTime(e.at)}\n${e.at}`]), mono: [0, 2] });
  if (data.notCapturedZh.length) {
    section(b, c, '未能取得的证据');
    b.push({ kind: 'list', items: data.notCapturedZh });
  }
  section(b, c, '证据核验方法');
  b.push({
    kind: 'list',
    items: [
      `证据包目录 ${data.id}/ 中的 manifest-sha256.txt 列出每个证据文件的 SHA-256；在该目录中执行 sha256sum -c manifest-sha256.txt 可逐一核对。`,
      'custody.jsonl 为保管链记录，每行记录操作人、操作、时间（UTC）、工具版本和对象散列，并包含上一行的 SHA-256，任何一行被改动都会被发现。',
      `执行 govscan verify ${data.id} 可同时核验清单、保管链${data.options.tsa ? '和时间戳' : ''}，并指出第一个不一致的文件或行。`,
      data.options.tsa ? `manifest.tsr 为时间戳服务（${data.options.tsa}）按 RFC 3161 对 manifest-sha256.txt 出具的时间戳，可用 openssl ts -verify 独立核验。` : '本案未申请 RFC 3161 时间戳。',
    ],
  });
  b.push({ kind: 'p', text: '' });
  b.push({ kind: 'p', text: data.config.reportingUnit, right: true });
  b.push({ kind: 'p', text: chinaDate(data.capture.at), right: true });
  return { title, blocks: b };
}

function hostsList(data: CaseData): string {
  const genuine = new Set((data.attribution.site?.urls ?? []).map((u) => new URL(u).hostname));
  return [...new Set([data.reported.host, ...data.capture.exchanges.map((e) => new URL(e.url).hostname)])].filter((h) => !genuine.has(h)).join('、');
}

/** 报案材料: the same facts, addressed to the police. */
export function buildPoliceAnnex(data: CaseData): DossierDoc {
  const s = data.attribution.site;
  const title = '报案材料';
  const b: Block[] = [{ kind: 'title', text: title }];
  b.push({ kind: 'p', text: `${data.config.police}：`, bold: true });
  b.push({
    kind: 'p',
    text: `${chinaTime(data.config.firstSeenAt ?? data.capture.at)}，${data.config.reportingUnit}${data.config.foundVia ? `通过${data.config.foundVia}` : ''}发现网址 ${data.reported.url} 仿冒${s ? `本市政府网站“${s.name}”（网站标识码 ${s.code}，网址 ${s.urls[0]}）` : '政府网站'}。${data.harmZh.length ? `该网站${data.harmZh.join('；')}。` : ''}我单位已向${data.config.addressee}报备并申请阻断访问，现就此报案，请依法调查处理。`,
  });
  b.push({ kind: 'h', text: '一、涉案网站' });
  b.push({ kind: 'table', header: ['项目', '内容'], rows: [['涉案网址', data.reported.url], ['涉案域名', data.reported.host], ['解析地址（IP）', data.capture.addresses.join('、') || '无'], ['取证时间', chinaTime(data.capture.at)], ['取证时状态', data.capture.livenessZh], ['案件编号', data.id]] });
  b.push({ kind: 'h', text: '二、认定为仿冒的依据' });
  b.push({ kind: 'list', items: data.attribution.reasonsZh });
  b.push({ kind: 'h', text: '三、证据' });
  b.push({ kind: 'p', text: '证据已按取证时原样保存并计算散列值，清单如下（时间为北京时间；证据文件内为UTC）。' });
  b.push({ kind: 'table', header: ['文件', '内容', 'SHA-256'], rows: data.evidence.map((e) => [e.path, `${e.zh}（${chinaTime(e.at)}）`, e.sha256]), mono: [0, 2] });
  if (data.notCapturedZh.length) b.push({ kind: 'list', items: data.notCapturedZh.map((x) => `未能取得：${x}`) });
  b.push({ kind: 'h', text: '四、联系人' });
  b.push({ kind: 'p', text: `${data.config.reportingUnit}  ${data.config.contact.name}  ${data.config.contact.phone}` });
  b.push({ kind: 'p', text: '' });
  b.push({ kind: 'p', text: data.config.reportingUnit, right: true });
  b.push({ kind: 'p', text: chinaDate(data.capture.at), right: true });
  return { title, blocks: b };
}
