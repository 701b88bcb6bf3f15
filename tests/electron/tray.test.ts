/**
 * The tray: its state for each combination of schedule, link and engine process, its texts,
 * the menu's actions, and redraw throttling, with stand-ins for Electron's Tray and Menu.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import type { EngineState } from '../../common/ipcContract.js';
import { dotBitmap, trayIconCandidates, trayIconPath } from '../../main/electron/trayIcons.js';
import { TrayController } from '../../main/electron/trayController.js';
import { PAUSE_MINUTES, trayMenuTemplate } from '../../main/electron/trayMenu.js';
import {
  currentTokensPerSecond,
  statusLine,
  TRAY_STATES,
  trayState,
  trayTooltip,
} from '../../main/electron/trayState.js';
import { fakeDeps, FakeImage, makeStatus, trayActions } from './fakes.js';

const running = { state: 'running' as EngineState, lastError: null };
const engine = (state: EngineState, lastError: string | null = null) => ({ state, lastError });

const model = (id: string, running: number, tokensPerSecond: number | null) => ({
  id,
  loaded: true,
  slots: 2,
  running,
  price: { prompt: 0.1, completion: 0.2 },
  market: null,
  tokensPerSecond,
  earningsPerHour: null,
  electricityPerHour: null,
  netPerHour: null,
});

const item = (items: MenuItemConstructorOptions[], id: string) => {
  const found = items.find((entry) => entry.id === id);
  if (!found) throw new Error(`no menu item ${id}`);
  return found;
};
const click = (items: MenuItemConstructorOptions[], id: string) =>
  (item(items, id).click as () => void)();

describe('trayState', () => {
  it.each([
    ['serving, online', makeStatus(), running, 'serving'],
    [
      'waiting for idle, online',
      makeStatus({ schedule: { state: 'waiting' } }),
      running,
      'waiting',
    ],
    ['paused, online', makeStatus({ schedule: { state: 'paused' } }), running, 'paused'],
    [
      'paused and offline: the pause is the news',
      makeStatus({ schedule: { state: 'paused' }, link: { state: 'offline' } }),
      running,
      'paused',
    ],
    [
      'serving but the link is offline',
      makeStatus({ link: { state: 'offline' } }),
      running,
      'offline',
    ],
    [
      'waiting while connecting',
      makeStatus({ schedule: { state: 'waiting' }, link: { state: 'connecting' } }),
      running,
      'offline',
    ],
    ['not on the network yet', makeStatus({ link: { state: 'disabled' } }), running, 'offline'],
    ['no status yet', null, running, 'offline'],
    ['engine starting (stale status)', makeStatus(), engine('starting'), 'offline'],
    [
      'engine crashed, restarting',
      makeStatus(),
      engine('restarting', 'The engine crashed (exit code 139)'),
      'error',
    ],
    ['engine crashed before any status', null, engine('restarting'), 'error'],
    ['engine could not start', null, engine('stopped', 'node key unreadable'), 'error'],
    [
      'engine crashed while paused',
      makeStatus({ schedule: { state: 'paused' } }),
      engine('restarting'),
      'error',
    ],
  ] as const)('%s → %s', (_name, status, supervisor, expected) => {
    expect(trayState(status, supervisor)).toBe(expected);
  });

  it('has one icon file (with a @2x beside it) and a distinct stand-in dot per state', () => {
    const paths = TRAY_STATES.map((state) => trayIconPath('/app', state, 'linux'));
    expect(paths).toContain('/app/resources/tray-serving.png');
    expect(trayIconPath('/app', 'paused', 'darwin')).toBe('/app/resources/tray-pausedTemplate.png');
    expect(trayIconCandidates('/opt/BYOI/resources/app.asar', 'error', 'win32')).toEqual([
      '/opt/BYOI/resources/app.asar.unpacked/resources/tray-error.png',
      '/opt/BYOI/resources/app.asar/resources/tray-error.png',
    ]);
    expect(new Set(paths).size).toBe(TRAY_STATES.length);
    const dots = TRAY_STATES.map((state) => dotBitmap(state).toString('hex'));
    expect(new Set(dots).size).toBe(TRAY_STATES.length);
    expect(dotBitmap('error')).toHaveLength(16 * 16 * 4);
  });
});

describe('tray texts', () => {
  it('shows the current tokens/s in the tooltip', () => {
    const status = makeStatus({
      models: [model('a', 2, 20.5), model('b', 0, 99), model('c', 1, null)],
    });
    expect(currentTokensPerSecond(status)).toBe(41);
    expect(trayTooltip(status, running)).toBe('BYOI Node: serving, 41.0 tokens/s');
    expect(trayTooltip(makeStatus({ schedule: { state: 'waiting' } }), running)).toBe(
      'BYOI Node: waiting',
    );
    expect(trayTooltip(null, engine('restarting'))).toBe('BYOI Node: engine problem');
  });

  it("adds the lifetime-tokens milestone the gateway's standing reached", () => {
    const standing = {
      score: 90,
      rank: 1,
      of: 2,
      tokensServed: 1_234_567,
      parts: { acceptance: 1, completion: 1, availability: 1, speed: 1 },
      today: [],
      milestone: 1_000_000,
      nextMilestone: 10_000_000,
      at: '2026-01-01T00:00:00.000Z',
    };
    const status = { ...makeStatus({ schedule: { state: 'waiting' } }), standing };
    expect(trayTooltip(status, running)).toBe('BYOI Node: waiting · 1M tokens served');
    const before = { ...status, standing: { ...standing, milestone: null } };
    expect(trayTooltip(before, running)).toBe('BYOI Node: waiting');
  });

  it('says why in the status line', () => {
    expect(
      statusLine(
        makeStatus({ schedule: { state: 'paused', reason: 'paused: on battery' } }),
        running,
      ),
    ).toBe('Paused: on battery');
    expect(
      statusLine(
        makeStatus({ link: { state: 'offline', reason: 'gateway unreachable' } }),
        running,
      ),
    ).toBe('Offline: gateway unreachable');
    expect(statusLine(makeStatus({ link: { state: 'disabled' } }), running)).toMatch(
      /Not on the network yet/,
    );
    expect(statusLine(null, engine('restarting'))).toMatch(/restarting/);
    expect(statusLine(null, engine('stopped', 'The node key could not be decrypted'))).toBe(
      'Engine not running: The node key could not be decrypted',
    );
  });
});

describe('tray menu', () => {
  const now = Date.parse('2025-01-01T12:00:00Z');

  it('shows the status and today’s earnings, with the mode as radio items', () => {
    const items = trayMenuTemplate(
      makeStatus({ schedule: { mode: 'always' } }),
      running,
      trayActions(),
      now,
    );
    expect(item(items, 'status')).toMatchObject({
      label: 'Serving: idle for 6 min',
      enabled: false,
    });
    expect(item(items, 'earnings-today').label).toBe('Today: $0.0123');
    expect(
      items.filter((entry) => entry.type === 'radio').map((entry) => [entry.id, entry.checked]),
    ).toEqual([
      ['mode-idle', false],
      ['mode-always', true],
      ['mode-scheduled', false],
      ['mode-paused', false],
    ]);
  });

  it('calls setMode, pause {minutes: 60} and resume', () => {
    const tray = trayActions();
    const items = trayMenuTemplate(makeStatus(), running, tray, now);
    click(items, 'mode-always');
    click(items, 'mode-scheduled');
    click(items, 'pause-1h');
    expect(tray.call.mock.calls).toEqual([
      ['setMode', { mode: 'always' }],
      ['setMode', { mode: 'scheduled' }],
      ['pause', { minutes: PAUSE_MINUTES }],
    ]);
    expect(PAUSE_MINUTES).toBe(60);

    const paused = makeStatus({
      schedule: { state: 'paused', pausedUntil: '2025-01-01T12:30:00Z' },
    });
    const pausedItems = trayMenuTemplate(paused, running, tray, now);
    expect(pausedItems.some((entry) => entry.id === 'pause-1h')).toBe(false);
    click(pausedItems, 'resume');
    expect(tray.call).toHaveBeenLastCalledWith('resume', {});

    const expired = makeStatus({ schedule: { pausedUntil: '2025-01-01T11:00:00Z' } });
    expect(
      trayMenuTemplate(expired, running, tray, now).some((entry) => entry.id === 'pause-1h'),
    ).toBe(true);
    const manual = makeStatus({ schedule: { mode: 'paused', state: 'paused' } });
    expect(
      trayMenuTemplate(manual, running, tray, now).some((entry) => entry.id === 'resume'),
    ).toBe(true);
  });

  it('opens the dashboard, the diagnostics, the logs folder, and quits', () => {
    const tray = trayActions();
    const items = trayMenuTemplate(makeStatus(), running, tray, now);
    click(items, 'open-dashboard');
    click(items, 'why-not-earning');
    click(items, 'open-logs');
    click(items, 'quit');
    expect(tray.openDashboard).toHaveBeenCalledOnce();
    expect(tray.openDiagnostics).toHaveBeenCalledOnce();
    expect(tray.openLogsFolder).toHaveBeenCalledOnce();
    expect(tray.quit).toHaveBeenCalledOnce();
    expect(tray.call).not.toHaveBeenCalled();
  });

  it('disables engine actions while the engine is down, and offers a restart', () => {
    const tray = trayActions();
    const items = trayMenuTemplate(makeStatus(), engine('restarting', 'crashed'), tray, now);
    for (const id of ['mode-idle', 'mode-always', 'pause-1h'])
      expect(item(items, id).enabled, id).toBe(false);
    expect(item(items, 'open-dashboard').enabled).not.toBe(false);
    click(items, 'restart-engine');
    expect(tray.restartEngine).toHaveBeenCalledOnce();
    expect(
      trayMenuTemplate(makeStatus(), running, tray, now).some(
        (entry) => entry.id === 'restart-engine',
      ),
    ).toBe(false);
  });
});

describe('TrayController', () => {
  function setup(platform: NodeJS.Platform = 'linux') {
    const fake = fakeDeps('/tmp/unused', platform);
    const tray = trayActions();
    const controller = new TrayController({ deps: fake.deps, appPath: '/app', actions: tray });
    controller.start();
    const icon = () => (fake.trays[0]?.image as FakeImage).source;
    return { ...fake, controller, tray, icon };
  }

  it('starts offline with the stand-in dot when the icon files are missing', () => {
    const { trays, controller, icon } = setup();
    expect(trays).toHaveLength(1);
    expect(controller.state).toBe('offline');
    expect(icon()).toBe(`bitmap:${16 * 16 * 4}`);
    expect(trays[0]!.tooltip).toBe('BYOI Node: offline');
  });

  it('uses the committed icon files of this repository', () => {
    const fake = fakeDeps('/tmp/unused');
    fake.deps.images.fromPath = (path) => new FakeImage(path, !existsSync(path));
    const root = join(import.meta.dirname, '..', '..');
    new TrayController({ deps: fake.deps, appPath: root, actions: trayActions() }).start();
    expect((fake.trays[0]!.image as FakeImage).source).toBe(
      join(root, 'resources', 'tray-offline.png'),
    );
  });

  it('uses the icon file when it exists', () => {
    const fake = fakeDeps('/tmp/unused');
    fake.deps.images.fromPath = (path) => new FakeImage(path);
    new TrayController({ deps: fake.deps, appPath: '/app', actions: trayActions() }).start();
    expect((fake.trays[0]!.image as FakeImage).source).toBe('/app/resources/tray-offline.png');
  });

  it('redraws at most once a second, with the latest snapshot', () => {
    const { trays, timers, controller } = setup();
    const menus = trays[0]!.menus;
    timers.advance(5000);
    controller.update(makeStatus(), running); // immediate: nothing drawn for a while
    expect(trays[0]!.menus).toBe(menus + 1);
    expect(controller.state).toBe('serving');
    controller.update(makeStatus({ schedule: { state: 'waiting' } }), running);
    controller.update(makeStatus({ schedule: { state: 'paused' } }), running);
    expect(trays[0]!.menus).toBe(menus + 1);
    timers.advance(1000);
    expect(trays[0]!.menus).toBe(menus + 2);
    expect(controller.state).toBe('paused');
    controller.update(makeStatus(), engine('restarting'));
    timers.advance(1000);
    expect(controller.state).toBe('error');
    expect(trays[0]!.tooltip).toBe('BYOI Node: engine problem');
  });

  it('opens the dashboard on a left click on Windows only', () => {
    const windows = setup('win32');
    windows.trays[0]!.emit('click');
    expect(windows.tray.openDashboard).toHaveBeenCalledOnce();
    const linux = setup('linux');
    linux.trays[0]!.emit('click');
    expect(linux.tray.openDashboard).not.toHaveBeenCalled();
  });

  it('is removed on destroy', () => {
    const { trays, controller } = setup();
    controller.destroy();
    expect(trays[0]!.destroyed).toBe(true);
  });
});
