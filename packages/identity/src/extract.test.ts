import { describe, expect, it } from 'vitest';
import { governmentHomepage } from '@govscan/testbed';
import { extractIdentityTokens, extractTokens, identityOf, mergeTokens } from './extract.js';

const site = { code: '5118000022', name: '雅安市人民政府', unit: '雅安市人民政府办公室', host: 'www.yaan.gov.cn', icp: '蜀ICP备05005390号-1', psb: '川公网安备 51180002000100号', contact: '0835-2212345' };

describe('extractTokens', () => {
  it('reads every token of the testbed’s compliant homepage, with where it was found', () => {
    const t = extractTokens(governmentHomepage(site), 'https://www.yaan.gov.cn/');
    expect(t.footerFound).toBe(true);
    expect(t.title).toBe('雅安市人民政府');
    expect(t.meta).toEqual({ SiteName: '雅安市人民政府', SiteDomain: 'www.yaan.gov.cn', SiteIDCode: '5118000022' });
    expect(t.siteCodes).toEqual([
      { value: '5118000022', where: 'footer-text' },
      { value: '5118000022', where: 'meta[name=SiteIDCode]' },
      { value: '5118000022', where: 'script#_jiucuo_[sitecode]' },
    ]);
    expect(t.icp).toEqual([{ value: '蜀ICP备05005390号-1', where: 'footer-text' }]);
    expect(t.psb[0]).toEqual({ value: '川公网安备 51180002000100号', where: 'footer-text' });
    expect(t.sponsor).toEqual([{ value: '雅安市人民政府办公室', where: 'footer-text' }]);
    expect(t.contact).toEqual([{ value: '0835-2212345', where: 'footer-text' }]);
    expect(t.conac).toHaveLength(1);
    expect(t.conac[0]!.value).toMatch(/^\d{8}$/);
    expect(t.jiucuo).toEqual([{ value: 'https://zfwzgl.www.gov.cn/exposure/jiucuo.js', where: 'script#_jiucuo_[sitecode]' }]);
  });

  it('is tolerant of full-width digits, letters, colons and spaces', () => {
    const html = `<div id="footer">主办单位：雅安市人民政府办公室　联系电话：０８３５－２２１２３４５<br>
      网站标识码：５１１８　０００　０２２　蜀ＩＣＰ备０５００５３９０号－１　川公网安备　５１１８０００２０００１００号</div>`;
    const t = extractTokens(html, 'https://www.yaan.gov.cn/');
    expect(t.siteCodes.map((x) => x.value)).toEqual(['5118000022']);
    expect(t.icp.map((x) => x.value)).toEqual(['蜀ICP备05005390号-1']);
    expect(t.psb.map((x) => x.value)).toEqual(['川公网安备 51180002000100号']);
    expect(t.contact.map((x) => x.value)).toEqual(['0835-2212345']);
    expect(t.sponsor.map((x) => x.value)).toEqual(['雅安市人民政府办公室']);
  });

  it('reads sponsor and contact lines in their usual variants, not 主办 in running text', () => {
    const t = extractTokens(
      '<div class="footer">主办 雅安市教育局 | 电话 (0835)2556229 | 邮箱：jyj@yaan.gov.cn</div><div class="news">市教育局主办全市中小学运动会</div>',
      'http://x/',
    );
    expect(t.sponsor.map((x) => x.value)).toEqual(['雅安市教育局']);
    expect(t.contact.map((x) => x.value)).toEqual(['(0835)2556229', 'jyj@yaan.gov.cn']);
    expect(extractTokens('<p>市政府主办全市运动会</p>', 'http://x/').sponsor).toEqual([]);
  });

  it('attributes a token outside the footer to the page, and one inside to the footer', () => {
    const t = extractTokens('<div class="main">网站标识码：5118000022</div><div class="bottom">蜀ICP备05005390号</div>', 'http://x/');
    expect(t.siteCodes).toEqual([{ value: '5118000022', where: 'page-text' }]);
    expect(t.icp).toEqual([{ value: '蜀ICP备05005390号', where: 'footer-text' }]);
  });

  it('does not take hidden text (scripts, styles) for shown tokens', () => {
    const t = extractTokens('<div class="footer"><script>var s = "网站标识码：5118000022 蜀ICP备1号";</script><style>.x{content:"主办单位：假"}</style></div>', 'http://x/');
    expect(t.siteCodes).toEqual([]);
    expect(t.icp).toEqual([]);
    expect(t.sponsor).toEqual([]);
  });

  it('finds the CONAC badge and the 找错 entry by link and by text', () => {
    const t = extractTokens(
      `<div class="copyright"><a href="https://bszs.conac.cn/sitename?method=show&id=0A1B2C3D"><img src="/red.png"></a>
       <a href="https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=5118000022">我为政府网站找错</a></div>`,
      'http://x/',
    );
    expect(t.conac).toEqual([{ value: '0A1B2C3D', where: 'a[href]' }]);
    expect(t.jiucuo.map((x) => x.where)).toEqual(['footer-text', 'a[href]']);
  });

  it('lists frames, and same-host iframes only', () => {
    const t = extractTokens('<frameset><frame src="top.html"><frame src="//other.example/x"></frameset><iframe src="/foot.html"></iframe><iframe src="https://map.example/"></iframe>', 'http://a.yaan.gov.cn/dir/');
    expect(t.frames).toEqual(['http://a.yaan.gov.cn/dir/top.html', 'http://other.example/x', 'http://a.yaan.gov.cn/foot.html']);
  });

  it('never throws on garbage', () => {
    for (const html of ['', '<', '<<<>>>', '<html><head><title>', '\u0000\uffff', '<meta name=SiteIDCode>', '<frame src="http://[::1">', '<a href="javascript:void(0)">']) {
      expect(() => extractTokens(html, 'http://x/')).not.toThrow();
    }
  });

  it('merges a homepage and its frames, the homepage first', () => {
    const home = extractTokens('<title>T</title><meta name="SiteName" content="S">', 'http://x/');
    const frame = extractTokens('<div class="footer">蜀ICP备1234号</div>', 'http://x/f.html', 'frame http://x/f.html: ');
    const m = mergeTokens([home, frame]);
    expect(m).toMatchObject({ title: 'T', meta: { SiteName: 'S' }, footerFound: true, icp: [{ value: '蜀ICP备1234号', where: 'frame http://x/f.html: footer-text' }] });
  });
});

describe('the CONAC badge, in every URL form', () => {
  it('reads its id from the script path, the script file name and the link; keeps a badge URL that carries none', () => {
    const t = extractTokens(
      `<div class="footer">
        <script src="https://dcs.conac.cn/js/51/000/0000/60446925/CA510000000604469250001.js"></script>
        <script src="https://dcs.conac.cn/CA510000000876543210001.js"></script>
        <a href="https://bszs.conac.cn/sitename?method=show&id=5A9B"><img src="/red.png"></a>
        <a href="https://www.conac.cn/">CONAC</a>
      </div>`,
      'http://x/',
    );
    expect(t.conac).toEqual([
      { value: '60446925', where: 'script[src]' },
      { value: '87654321', where: 'script[src]' },
      { value: '5A9B', where: 'a[href]' },
      { value: 'https://www.conac.cn/', where: 'a[href]' },
    ]);
    expect(identityOf(t).conac).toEqual(['60446925', '87654321', '5A9B']);
  });
});

describe('the values a case and a lookalike comparison read', () => {
  const html = governmentHomepage(site);

  it('gives a case each value once as the page shows it, the ICP number with its site number', () => {
    expect(extractIdentityTokens(html, 'https://www.yaan.gov.cn/')).toMatchObject({
      siteCodes: ['5118000022'],
      icp: ['蜀ICP备05005390号-1'],
      psb: ['川公网安备 51180002000100号', '51180002000100'],
      sponsor: ['雅安市人民政府办公室'],
      siteName: '雅安市人民政府',
      siteDomain: 'www.yaan.gov.cn',
    });
  });

  it('gives a lookalike comparison the ICP number with its -1, 公网安备 numbers as digits', () => {
    const id = identityOf(extractTokens(html, 'https://www.yaan.gov.cn/'));
    expect(id.icp).toEqual(['蜀ICP备05005390号-1']);
    expect(id.psb).toEqual(['51180002000100']);
    expect(id.siteName).toEqual(['雅安市人民政府']);
    expect(identityOf(extractTokens('<a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=51180002000100">备案</a>', 'http://x/')).psb).toEqual(['51180002000100']);
  });
});
