/**
 * The lockdown every web contents gets (Electron's security checklist): no navigation away
 * from the dashboard, no new windows (a few https links open in the user's browser), no
 * <webview>, no permissions, and a strict Content-Security-Policy header on our files.
 */
import { DASHBOARD_CSP } from '../../common/contentSecurityPolicy.js';
import type { Logger } from '../../common/log.js';
import type { SessionLike, WebContentsLike } from './electronDeps.js';

/** The dashboard's policy, shared with the other place that serves it. */
export const APP_CSP = DASHBOARD_CSP;

/** Hosts whose https links may open in the user's browser (docs, model pages, the code). */
export const EXTERNAL_LINK_HOSTS: readonly string[] = [
  'github.com',
  'huggingface.co',
  'node-llama-cpp.withcat.ai',
];

/** True for an https URL on an allowed host (or a subdomain of one), with no credentials. */
export function isAllowedExternalUrl(url: string, hosts = EXTERNAL_LINK_HOSTS): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:' || parsed.username || parsed.password || parsed.port) {
    return false;
  }
  const host = parsed.hostname.toLowerCase();
  return hosts.some((allowed) => host === allowed || host.endsWith(`.${allowed}`));
}

export interface HardenOptions {
  openExternal: (url: string) => Promise<void>;
  logger: Logger;
}

/** Denies navigation, new windows and webviews in `contents`; allowed links open outside. */
export function hardenWebContents(contents: WebContentsLike, options: HardenOptions): void {
  const { logger } = options;
  const deny = (what: string) => (event: { preventDefault(): void }, url?: unknown) => {
    event.preventDefault();
    logger.warn(`${what} denied`, { url: typeof url === 'string' ? url.slice(0, 200) : null });
  };
  contents.on('will-navigate', deny('navigation'));
  contents.on(
    'will-frame-navigate',
    (event: { preventDefault(): void; url?: string; isMainFrame?: boolean }) => {
      // will-navigate covers the main frame; this one catches subframes too.
      if (event.isMainFrame === false) deny('subframe navigation')(event, event.url);
    },
  );
  contents.on('will-redirect', deny('redirect'));
  contents.on('will-attach-webview', deny('webview'));
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalUrl(url)) {
      options
        .openExternal(url)
        .catch((error: unknown) =>
          logger.warn('could not open link', { url, error: String(error) }),
        );
    } else {
      logger.warn('new window denied', { url: url.slice(0, 200) });
    }
    return { action: 'deny' };
  });
}

/** No permission (camera, notifications, geolocation, …) is ever granted; CSP on file:// too. */
export function hardenSession(session: SessionLike, logger: Logger): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => {
    logger.warn('permission request denied', { permission });
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onHeadersReceived((details, callback) => {
    // The dev server's pages keep their own (slightly relaxed) policy; our files get ours.
    if (!details.url.startsWith('file:')) {
      callback({});
      return;
    }
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [APP_CSP] },
    });
  });
}
