/**
 * @govscan/report-dossier — the takedown dossier of a case: dossier.html,
 * dossier.docx and (with Chromium) dossier.pdf for the telecom authority, the
 * police annex (报案材料), the XARF v4 content/phishing report, and
 * blocklists (RPZ zone, hosts lines, domain list).
 */
import type { CaseData } from '@govscan/case';
import { domainList, hostsFile, hostsToBlock, rpzZone } from './blocklists.js';
import { renderDocx } from './docx.js';
import { renderHtml } from './html.js';
import { buildDossier, buildPoliceAnnex } from './model.js';
import { toXarf, xarfSchemaErrors } from './xarf.js';

export { buildDossier, buildPoliceAnnex, type Block, type DossierDoc } from './model.js';
export { renderHtml } from './html.js';
export { renderDocx } from './docx.js';
export { toXarf, xarfSchemaErrors, xarfSchemaPath } from './xarf.js';
export { domainList, hostsFile, hostsToBlock, rpzZone } from './blocklists.js';
export { chinaDate, chinaTime } from './time.js';

export interface DossierFile {
  /** Path inside the case bundle. */
  path: string;
  content: Buffer | string;
  zh: string;
  mediaType: string;
}

/**
 * Every dossier file but the PDF (which needs a browser: print `dossier/dossier.html`
 * with @govscan/case's printHtmlToPdf). `files`: bundle files by path (screenshots, pages);
 * `officeDomain`: the office's domain for the XARF reporter when the config names none and no site was attributed.
 */
export async function renderDossierFiles(data: CaseData, files: Map<string, Buffer>, isRegistered: (host: string) => boolean = () => false, officeDomain?: string): Promise<DossierFile[]> {
  const dossier = buildDossier(data);
  const police = buildPoliceAnnex(data);
  const xarf = toXarf(data, files, officeDomain);
  const errors = xarfSchemaErrors(xarf);
  if (errors.length) throw new Error(`the XARF report does not validate: ${errors.map((e) => `${e.instancePath} ${e.message}`).join('; ')}`);
  const hosts = hostsToBlock(data, isRegistered);
  return [
    { path: 'dossier/dossier.html', content: renderHtml(dossier, files), zh: `致${data.config.addressee}的情况报告（HTML）`, mediaType: 'text/html' },
    { path: 'dossier/dossier.docx', content: await renderDocx(dossier, files), zh: `致${data.config.addressee}的情况报告（可编辑Word文档）`, mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' },
    { path: 'dossier/police-annex.html', content: renderHtml(police, files), zh: `致${data.config.police}的报案材料（HTML）`, mediaType: 'text/html' },
    { path: 'dossier/police-annex.docx', content: await renderDocx(police, files), zh: `致${data.config.police}的报案材料（可编辑Word文档）`, mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' },
    { path: 'dossier/xarf-phishing.json', content: `${JSON.stringify(xarf, null, 2)}\n`, zh: 'XARF v4 滥用报告（content/phishing）', mediaType: 'application/json' },
    { path: 'dossier/blocklist.rpz.zone', content: rpzZone(data, hosts), zh: 'DNS响应策略区（RPZ）阻断文件', mediaType: 'text/dns' },
    { path: 'dossier/blocklist.hosts', content: hostsFile(data, hosts), zh: 'hosts 文件阻断条目', mediaType: 'text/plain' },
    { path: 'dossier/blocklist.domains.txt', content: domainList(hosts), zh: '待阻断域名清单', mediaType: 'text/plain' },
  ];
}
