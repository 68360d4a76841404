import type { DossierDoc } from './model.js';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Self-contained HTML (screenshots embedded as data: URLs, no scripts, no external resources). */
export function renderHtml(doc: DossierDoc, images: Map<string, Buffer>): string {
  const body = doc.blocks
    .map((b) => {
      switch (b.kind) {
        case 'title':
          return `<h1>${esc(b.text)}</h1>`;
        case 'h':
          return `<h2>${esc(b.text)}</h2>`;
        case 'p':
          return `<p class="${[b.bold ? 'b' : '', b.right ? 'r' : ''].join(' ').trim()}">${esc(b.text) || '&nbsp;'}</p>`;
        case 'list':
          return `<ol>${b.items.map((i) => `<li>${esc(i)}</li>`).join('')}</ol>`;
        case 'table':
          return `<table><thead><tr>${b.header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${b.rows
            .map((r) => `<tr>${r.map((cell, i) => `<td${b.mono?.includes(i) ? ' class="m"' : ''}>${esc(cell).replace(/\n/g, '<br>')}</td>`).join('')}</tr>`)
            .join('')}</tbody></table>`;
        case 'images':
          return `<div class="shots">${b.items
            .map((i) => {
              const bytes = i.path ? images.get(i.path) : undefined;
              return `<figure>${bytes ? `<img alt="${esc(i.caption)}" src="data:image/png;base64,${bytes.toString('base64')}">` : '<div class="none">未截取</div>'}<figcaption>${esc(i.caption)}${i.path ? `<br><span class="m">${esc(i.path)}</span>` : ''}</figcaption></figure>`;
            })
            .join('')}</div>`;
      }
    })
    .join('\n');
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>${esc(doc.title)}</title>
<style>
body { font-family: "FangSong", "STFangsong", "Noto Serif CJK SC", "Source Han Serif SC", "WenQuanYi Zen Hei", serif; max-width: 60em; margin: 2em auto; line-height: 1.7; color: #000; }
h1 { text-align: center; font-family: "SimHei", "Noto Sans CJK SC", "WenQuanYi Zen Hei", sans-serif; font-size: 1.6em; }
h2 { font-family: "SimHei", "Noto Sans CJK SC", "WenQuanYi Zen Hei", sans-serif; font-size: 1.15em; margin-top: 1.4em; }
p { text-indent: 2em; margin: .4em 0; } p.b { text-indent: 0; font-weight: bold; } p.r { text-align: right; }
table { border-collapse: collapse; width: 100%; margin: .6em 0; font-size: .9em; } th, td { border: 1px solid #444; padding: .25em .4em; vertical-align: top; text-align: left; }
th { background: #eee; } td.m, span.m { font-family: "DejaVu Sans Mono", monospace; font-size: .85em; word-break: break-all; }
.shots { display: flex; gap: .8em; flex-wrap: wrap; } figure { flex: 1 1 30%; margin: 0; border: 1px solid #999; padding: .3em; }
figure img { width: 100%; } figcaption { font-size: .8em; word-break: break-all; } .none { height: 6em; display: flex; align-items: center; justify-content: center; background: #f4f4f4; }
@media print { body { margin: 0; max-width: none; } h2 { page-break-after: avoid; } figure, tr { page-break-inside: avoid; } }
</style>
</head>
<body>
${body}
</body>
</html>
`;
}
