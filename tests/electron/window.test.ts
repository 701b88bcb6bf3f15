/**
 * The dashboard window and its lockdown, with stand-ins for BrowserWindow, webContents and
 * the session (no Electron binary here).
 */
import { describe, expect, it, vi } from 'vitest';
import { appOrigin, isAppUrl } from '../../main/electron/appOrigin.js';
import { IPC_CHANNELS } from '../../common/ipcContract.js';
import { MainWindow } from '../../main/electron/mainWindow.js';
import {
  APP_CSP,
  hardenSession,
  hardenWebContents,
  isAllowedExternalUrl,
} from '../../main/electron/windowSecurity.js';
import {
  fakeDeps,
  FakeSession,
  FakeWebContents,
  recordingLogger,
  type FakeWindow,
} from './fakes.js';

const INDEX = '/app/out/renderer/index.html';

function setup(quitting = false) {
  const fake = fakeDeps('/tmp/unused');
  let isQuitting = quitting;
  const main = new MainWindow({
    deps: fake.deps,
    origin: appOrigin(INDEX, undefined),
    preloadPath: '/app/out/preload/index.cjs',
    isQuitting: () => isQuitting,
    logger: recordingLogger(),
  });
  return { ...fake, main, quit: () => (isQuitting = true) };
}

describe('MainWindow', () => {
  it('is created locked down, and loads the bundled dashboard', () => {
    const { main, windows } = setup();
    main.ensure(true);
    const window = windows[0] as FakeWindow;
    expect(window.options['webPreferences']).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
    });
    expect(window.loaded).toEqual([INDEX]);
    expect(window.visible).toBe(false);
    window.emit('ready-to-show');
    expect(window.visible).toBe(true);
  });

  it('starts hidden when asked (launched at login)', () => {
    const { main, windows } = setup();
    main.ensure(false);
    windows[0]!.emit('ready-to-show');
    expect(windows[0]!.visible).toBe(false);
  });

  it('hides on close instead of closing, until the app quits', () => {
    const { main, quit } = setup();
    const window = main.ensure(true) as unknown as FakeWindow;
    window.show();
    expect(window.userClose()).toBe(true);
    expect(window.visible).toBe(false);
    expect(main.window).toBe(window);
    quit();
    expect(window.userClose()).toBe(false);
    expect(main.window).toBeNull();
  });

  it('brings back the one window, restored and focused, rather than making another', () => {
    const { main, windows } = setup();
    const window = main.ensure(false) as unknown as FakeWindow;
    window.minimized = true;
    main.showAndFocus();
    expect(windows).toHaveLength(1);
    expect(window).toMatchObject({ visible: true, minimized: false, focused: 1 });
  });

  it('opens the overview diagnostics: at once, or once the page has loaded', () => {
    const { main } = setup();
    const window = main.ensure(false) as unknown as FakeWindow;
    window.webContents.loading = true;
    main.navigate({ panel: 'overview', focus: 'diagnostics' });
    expect(window.webContents.sent).toEqual([]);
    window.webContents.emit('did-finish-load');
    window.webContents.loading = false;
    main.navigate({ panel: 'overview' });
    expect(window.webContents.sent).toEqual([
      { channel: IPC_CHANNELS.navigate, payload: { panel: 'overview', focus: 'diagnostics' } },
      { channel: IPC_CHANNELS.navigate, payload: { panel: 'overview' } },
    ]);
    expect(window.visible).toBe(true);
  });
});

describe('web contents lockdown', () => {
  function hardened() {
    const contents = new FakeWebContents();
    const openExternal = vi.fn(async () => undefined);
    const logger = recordingLogger();
    hardenWebContents(contents, { openExternal, logger });
    return { contents, openExternal, logger };
  }

  it('denies navigation, redirects, subframe navigation and webviews', () => {
    const { contents } = hardened();
    expect(contents.tryEvent('will-navigate', 'https://evil.example/')).toBe(true);
    expect(contents.tryEvent('will-navigate', `file://${INDEX}`)).toBe(true);
    expect(contents.tryEvent('will-redirect', 'https://evil.example/')).toBe(true);
    expect(
      contents.tryEvent('will-frame-navigate', 'https://ads.example/', { isMainFrame: false }),
    ).toBe(true);
    expect(contents.tryEvent('will-attach-webview', 'https://evil.example/')).toBe(true);
  });

  it('denies every window.open; allow-listed https links open in the browser', () => {
    const { contents, openExternal } = hardened();
    const open = (url: string) => contents.openHandler?.({ url });
    expect(open('https://huggingface.co/some/model')).toEqual({ action: 'deny' });
    expect(open('https://evil.example/')).toEqual({ action: 'deny' });
    expect(open('http://github.com/')).toEqual({ action: 'deny' });
    expect(open('file:///etc/passwd')).toEqual({ action: 'deny' });
    expect(openExternal.mock.calls).toEqual([['https://huggingface.co/some/model']]);
  });

  it('allow-lists https on known hosts only, without credentials or odd ports', () => {
    expect(isAllowedExternalUrl('https://github.com/byoi')).toBe(true);
    expect(isAllowedExternalUrl('https://docs.github.com/x')).toBe(true);
    expect(isAllowedExternalUrl('https://github.com.evil.example/')).toBe(false);
    expect(isAllowedExternalUrl('https://evilgithub.com/')).toBe(false);
    expect(isAllowedExternalUrl('https://user:pw@github.com/')).toBe(false);
    expect(isAllowedExternalUrl('https://github.com:8443/')).toBe(false);
    expect(isAllowedExternalUrl('javascript:alert(1)')).toBe(false);
  });

  it('denies every permission and sets the CSP header on our files only', () => {
    const session = new FakeSession();
    hardenSession(session, recordingLogger());
    const granted = vi.fn();
    session.permissionHandler?.({}, 'media', granted);
    expect(granted).toHaveBeenCalledWith(false);
    expect(session.checkHandler?.()).toBe(false);

    const answer = vi.fn();
    session.headersListener?.(
      { url: `file://${INDEX}`, responseHeaders: { 'X-A': ['1'] } },
      answer,
    );
    expect(answer).toHaveBeenCalledWith({
      responseHeaders: { 'X-A': ['1'], 'Content-Security-Policy': [APP_CSP] },
    });
    expect(APP_CSP).toContain("script-src 'self'");
    expect(APP_CSP).toContain("frame-ancestors 'none'");
    expect(APP_CSP).not.toContain('unsafe');
    session.headersListener?.({ url: 'http://localhost:5173/' }, answer);
    expect(answer).toHaveBeenLastCalledWith({});
  });
});

describe('isAppUrl', () => {
  it('matches our file with any hash, and nothing else', () => {
    const origin = appOrigin(INDEX, undefined);
    expect(isAppUrl(origin, `file://${INDEX}`)).toBe(true);
    expect(isAppUrl(origin, `file://${INDEX}#/models?x=1`)).toBe(true);
    expect(isAppUrl(origin, 'file:///app/out/renderer/other.html')).toBe(false);
    expect(isAppUrl(origin, `file://server${INDEX}`)).toBe(false);
    expect(isAppUrl(origin, 'http://localhost:5173/')).toBe(false);
  });
});
