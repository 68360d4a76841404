/**
 * The identity tokens of a Chinese government homepage, in the three shapes
 * govscan reads them: every token with where it was found (`PageTokens`, what
 * the naming scanner reports), the values a case records (`IdentityTokens`),
 * and one list of values per token (`Identity`, what a lookalike is compared by).
 */

export interface Token {
  value: string;
  /** Where on the page: `footer-text`, `page-text`, `meta[name=SiteIDCode]`, `script#_jiucuo_[sitecode]`, `script[src]`, `a[href]`, … (prefixed `frame <url>: ` for a frame's document). */
  where: string;
}

export interface PageTokens {
  title: string | null;
  meta: { SiteName: string | null; SiteDomain: string | null; SiteIDCode: string | null };
  /** Site codes: shown in text, in the SiteIDCode meta, on the 找错 script. */
  siteCodes: Token[];
  icp: Token[];
  psb: Token[];
  conac: Token[];
  jiucuo: Token[];
  sponsor: Token[];
  contact: Token[];
  /** An element that looks like the page footer was found. */
  footerFound: boolean;
  /** `<frame>` sources and same-host `<iframe>` sources, absolute. */
  frames: string[];
  /** Characters of visible text read (capped). */
  textChars: number;
}

/** The values of a page's identity tokens, as a case records them. */
export interface IdentityTokens {
  siteCodes: string[];
  icp: string[];
  psb: string[];
  /** CONAC badge ids (from conac.cn script and link URLs; the URL itself when it carries no id). */
  conac: string[];
  sponsor: string[];
  siteName: string | null;
  siteDomain: string | null;
}

/** The tokens a lookalike is compared by, in this order. */
export const IDENTITY_TOKENS = ['siteCode', 'icp', 'psb', 'conac', 'siteName', 'sponsor'] as const;
export type IdentityToken = (typeof IDENTITY_TOKENS)[number];
/** Values per token: ICP numbers as `蜀ICP备05005390号-1`, 公网安备 numbers as digits, CONAC badge ids only. */
export type Identity = Record<IdentityToken, string[]>;

export const emptyIdentity = (): Identity => ({ siteCode: [], icp: [], psb: [], conac: [], siteName: [], sponsor: [] });
