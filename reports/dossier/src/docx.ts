/**
 * The editable Word document (.docx) of the dossier, with the `docx` library:
 * A4, 仿宋/黑体 fonts named (Word substitutes what the office has), tables
 * with borders, screenshots embedded. The office prints it on letterhead and
 * seals it, so it carries no header or footer of its own.
 */
import type { Paragraph, Table } from 'docx';
import type { DossierDoc } from './model.js';

const BODY_FONT = { ascii: 'Times New Roman', eastAsia: '仿宋_GB2312', hAnsi: 'Times New Roman' };
const HEAD_FONT = { ascii: 'Times New Roman', eastAsia: '黑体', hAnsi: 'Times New Roman' };
const MONO_FONT = { ascii: 'Consolas', eastAsia: '仿宋_GB2312', hAnsi: 'Consolas' };

function pngSize(png: Buffer): { width: number; height: number } | null {
  if (png.length < 24 || png.readUInt32BE(0) !== 0x89504e47) return null;
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

export async function renderDocx(doc: DossierDoc, images: Map<string, Buffer>): Promise<Buffer> {
  // loaded when a dossier is written, not at every start-up
  const { AlignmentType, BorderStyle, Document, ImageRun, Packer, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } = await import('docx');
  const border = { style: BorderStyle.SINGLE, size: 4, color: '444444' };
  const borders = { top: border, bottom: border, left: border, right: border };
  const cellParagraphs = (text: string, mono: boolean, bold = false): Paragraph[] =>
    text.split('\n').map((line) => new Paragraph({ children: [new TextRun({ text: line, font: mono ? MONO_FONT : BODY_FONT, size: mono ? 16 : 20, bold })] }));
  const children: (Paragraph | Table)[] = [];
  for (const b of doc.blocks) {
    switch (b.kind) {
      case 'title':
        children.push(new Paragraph({ alignment: AlignmentType.CENTER, spacing: { after: 300 }, children: [new TextRun({ text: b.text, font: { ascii: 'Times New Roman', eastAsia: '方正小标宋简体', hAnsi: 'Times New Roman' }, size: 40 })] }));
        break;
      case 'h':
        children.push(new Paragraph({ spacing: { before: 200, after: 100 }, keepNext: true, children: [new TextRun({ text: b.text, font: HEAD_FONT, size: 32 })] }));
        break;
      case 'p':
        children.push(new Paragraph({ alignment: b.right ? AlignmentType.RIGHT : AlignmentType.LEFT, indent: b.bold || b.right ? undefined : { firstLine: 640 }, children: [new TextRun({ text: b.text, font: BODY_FONT, size: 32, bold: !!b.bold })] }));
        break;
      case 'list':
        b.items.forEach((item, i) => children.push(new Paragraph({ indent: { firstLine: 640 }, children: [new TextRun({ text: `${i + 1}. ${item}`, font: BODY_FONT, size: 32 })] })));
        break;
      case 'table':
        children.push(
          new Table({
            width: { size: 100, type: WidthType.PERCENTAGE },
            rows: [
              new TableRow({ tableHeader: true, children: b.header.map((h) => new TableCell({ borders, shading: { fill: 'EEEEEE' }, children: cellParagraphs(h, false, true) })) }),
              ...b.rows.map((r) => new TableRow({ cantSplit: true, children: r.map((cell, i) => new TableCell({ borders, children: cellParagraphs(cell, !!b.mono?.includes(i)) })) })),
            ],
          }),
        );
        children.push(new Paragraph({ children: [] }));
        break;
      case 'images':
        for (const i of b.items) {
          const png = i.path ? images.get(i.path) : undefined;
          const size = png ? pngSize(png) : null;
          if (png && size) {
            const width = 560;
            const height = Math.max(1, Math.round((size.height / size.width) * width));
            children.push(new Paragraph({ alignment: AlignmentType.CENTER, children: [new ImageRun({ type: 'png', data: png, transformation: { width, height: Math.min(height, 800) } })] }));
          } else children.push(new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ text: '（未截取）', font: BODY_FONT, size: 24 })] }));
          children.push(new Paragraph({ alignment: AlignmentType.CENTER, spacing: { after: 200 }, children: [new TextRun({ text: i.caption, font: BODY_FONT, size: 20 })] }));
        }
        break;
    }
  }
  const document = new Document({
    creator: 'govscan',
    title: doc.title,
    styles: { default: { document: { run: { font: BODY_FONT, size: 32 } } } },
    sections: [{ properties: { page: { size: { width: 11906, height: 16838 }, margin: { top: 2098, bottom: 1984, left: 1587, right: 1474 } } }, children }],
  });
  return Packer.toBuffer(document);
}
