/** The client profiles a reported URL is fetched with. A page that differs between them may be cloaking. */
export interface ClientProfile {
  id: 'desktop' | 'mobile';
  label: string;
  userAgent: string;
  acceptLanguage: string;
  viewport: { width: number; height: number };
  isMobile: boolean;
}

export const PROFILES: readonly ClientProfile[] = [
  {
    id: 'desktop',
    label: '桌面浏览器 (Windows, Chrome)',
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
    acceptLanguage: 'zh-CN,zh;q=0.9',
    viewport: { width: 1366, height: 768 },
    isMobile: false,
  },
  {
    id: 'mobile',
    label: '手机浏览器 (Android, 微信内置浏览器)',
    userAgent:
      'Mozilla/5.0 (Linux; Android 13; V2238A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 MicroMessenger/8.0.47.2560(0x28002F35) NetType/WIFI Language/zh_CN',
    acceptLanguage: 'zh-CN,zh;q=0.9',
    viewport: { width: 393, height: 852 },
    isMobile: true,
  },
];
