import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bundle, safeName } from './bundle.js';
import { Custody, verifyCustodyText } from './custody.js';
import { pageFacts, textSimilarity } from './page.js';

describe('bundle, custody, page facts', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'govscan-case-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('makes safe file names and refuses paths that leave the bundle', async () => {
    expect(safeName('../../x')).toBe('x');
    expect(safeName('Desktop Page.HTML')).toBe('desktop_page.html');
    expect(safeName('....')).toBe('file');
    const b = new Bundle(path.join(dir, 'CASE-1'));
    await b.create();
    await expect(b.create()).rejects.toMatchObject({ code: 'E_CASE_EXISTS' });
    const w = await b.write('a/b.txt', 'hello');
    expect(w.sha256).toBe('2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
    await expect(b.write('a/b.txt', 'again')).rejects.toThrow();
    for (const bad of ['../x', 'a/../../x', '/abs', '.hidden', 'a//b', 'a\u0000b']) await expect(b.write(bad, 'x')).rejects.toMatchObject({ code: 'E_BUNDLE_PATH' });
  });

  it('chains custody lines and names the first one tampered with', async () => {
    const file = path.join(dir, 'custody.jsonl');
    const c = new Custody(file, 'tester', { name: 'govscan', version: '0' });
    await c.append('open', 'http://x/', null);
    await c.append('capture', 'a.txt', 'a'.repeat(64));
    await c.append('seal', 'manifest-sha256.txt', 'b'.repeat(64));
    const text = await readFile(file, 'utf8');
    const ok = verifyCustodyText(text);
    expect(ok.ok).toBe(true);
    const lines = text.split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({ seq: 1, actor: 'tester', action: 'open', prev: '0'.repeat(64) });
    lines[1] = lines[1]!.replace('a.txt', 'b.txt');
    expect(verifyCustodyText(lines.join('\n'))).toMatchObject({ ok: false, line: 3 });
    expect(verifyCustodyText(text.split('\n').filter((_, i) => i !== 1).join('\n'))).toMatchObject({ ok: false, line: 2 });
    // Resuming appends to an intact chain only.
    const more = await Custody.resume(file, 'tester', { name: 'govscan', version: '0' });
    await more.append('recheck', 'http://x/', null);
    expect(verifyCustodyText(await readFile(file, 'utf8'))).toMatchObject({ ok: true });
    await writeFile(file, lines.join('\n'));
    await expect(Custody.resume(file, 'tester', { name: 'govscan', version: '0' })).rejects.toThrow(/line 3/);
  });

  it('reads forms and identity tokens from a page', () => {
    const html = '<html><head><title>雅安市人民政府</title><meta name="SiteIDCode" content="5118000022"></head><body><form action="/c.php" method="post"><input name="u"><input type="password" name="p"></form><div class="footer">网站标识码：5118000022 蜀ICP备05005390号-1 川公网安备 51180002000100号 主办单位：雅安市人民政府办公室</div><script src="https://dcs.conac.cn/js/51/000/0000/12345678/CA510000000123456780001.js"></script></body></html>';
    const f = pageFacts(Buffer.from(html), 'text/html; charset=utf-8', 'http://fake.example/');
    expect(f.title).toBe('雅安市人民政府');
    expect(f.forms[0]).toMatchObject({ action: 'http://fake.example/c.php', method: 'post', collectsPassword: true });
    expect(f.tokens).toMatchObject({ siteCodes: ['5118000022'], icp: ['蜀ICP备05005390号-1'], psb: ['川公网安备 51180002000100号'], conac: ['12345678'], sponsor: ['雅安市人民政府办公室'] });
    expect(textSimilarity('雅安市人民政府网站首页', '雅安市人民政府网站首页')).toBe(1);
    expect(textSimilarity('雅安市人民政府网站首页', '网站建设中敬请期待')).toBeLessThan(0.2);
  });
});
