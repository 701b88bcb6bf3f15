/**
 * The tray's language (the dashboard's setting, or the OS's for `system`), "update required"
 * when the network refuses this version, and "Restart to update" once an update is ready.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import { afterEach, describe, expect, it } from 'vitest';
import type { UpdateStatus } from '../../common/ipcContract.js';
import { defaultSettings, type UiSettings } from '../../common/settings.js';
import { Shell } from '../../main/electron/shell.js';
import { trayMenuTemplate } from '../../main/electron/trayMenu.js';
import { statusLine, trayTooltip } from '../../main/electron/trayState.js';
import { TRAY_STRINGS, trayLanguage } from '../../main/electron/trayStrings.js';
import { fakeDeps, makeStatus, recordingLogger, shellOptions, trayActions } from './fakes.js';

const running = { state: 'running' as const, lastError: null };
const now = Date.parse('2026-01-01T12:00:00Z');

const update = (state: UpdateStatus['state'], version: string | null = '0.2.0'): UpdateStatus => ({
  state,
  version,
  error: null,
  checkedAt: null,
});

const labels = (items: MenuItemConstructorOptions[]) =>
  items.filter((entry) => entry.label).map((entry) => entry.label);

describe('tray language', () => {
  it.each([
    ['en', 'fr-FR', 'en'],
    ['fr', 'en-US', 'fr'],
    ['system', 'fr-CA', 'fr'],
    ['system', 'FR', 'fr'],
    ['system', 'de-DE', 'en'],
    ['system', '', 'en'],
  ] as const)('setting %s with OS locale %j speaks %s', (setting, locale, expected) => {
    expect(trayLanguage(setting as UiSettings['language'], locale)).toBe(expected);
  });

  it('has every label in French, none left in English', () => {
    const fr = trayMenuTemplate(makeStatus(), running, trayActions(), now, {
      strings: TRAY_STRINGS.fr,
      update: update('downloaded'),
    });
    const en = trayMenuTemplate(makeStatus(), running, trayActions(), now, {
      update: update('downloaded'),
    });
    expect(labels(fr)).toContain('Redémarrer pour mettre à jour (0.2.0)');
    expect(labels(fr).some((label) => label?.startsWith("Aujourd'hui : $"))).toBe(true);
    expect(labels(fr)).toContain('Quitter BYOI Node');
    // Only the engine's own reason (the first line) is the same in both.
    const shared = labels(fr).filter((label) => labels(en).includes(label));
    expect(shared).toEqual([labels(en)[0]]);
    expect(trayTooltip(makeStatus(), running, TRAY_STRINGS.fr)).toBe(
      'BYOI Node: en service, 0.0 jetons/s',
    );
  });
});

describe('update in the tray', () => {
  it('says "update required" when the network refuses this version, whatever the schedule', () => {
    const refused = makeStatus({
      schedule: { state: 'paused', reason: 'paused: on battery' },
      link: { state: 'offline', code: 4001, reason: 'protocol v2', updateRequired: true },
    });
    expect(statusLine(refused, running)).toMatch(/^Update required/);
    expect(statusLine(refused, running, TRAY_STRINGS.fr)).toMatch(/^Mise à jour requise/);
  });

  it('offers "Restart to update" only once the update is downloaded', () => {
    for (const state of ['disabled', 'idle', 'checking', 'downloading', 'error'] as const) {
      const items = trayMenuTemplate(makeStatus(), running, trayActions(), now, {
        update: update(state),
      });
      expect(
        items.some((entry) => entry.id === 'restart-to-update'),
        state,
      ).toBe(false);
    }
    const tray = trayActions();
    const items = trayMenuTemplate(makeStatus(), running, tray, now, {
      update: update('downloaded'),
    });
    const item = items.find((entry) => entry.id === 'restart-to-update')!;
    (item.click as () => void)();
    expect(tray.restartToUpdate).toHaveBeenCalledTimes(1);
  });
});

describe('the shell gives the tray the settings’ language', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it.each([
    ['fr', 'en-US', 'BYOI Node: hors ligne'],
    ['system', 'fr-FR', 'BYOI Node: hors ligne'],
    ['system', 'en-GB', 'BYOI Node: offline'],
  ] as const)('language %s on an OS in %s', async (language, locale, tooltip) => {
    const userData = await mkdtemp(join(tmpdir(), 'byoi-tray-language-'));
    dirs.push(userData);
    const fake = fakeDeps(userData);
    fake.app.locale = locale;
    const shell = new Shell(shellOptions(fake, userData, recordingLogger()));
    await shell.start();
    const engine = fake.children[0]!.spawned();
    const call = engine.calls().find((entry) => entry.verb === 'getSettings')!;
    const answered = shell.call('getSettings', {});
    const again = engine.calls()[engine.calls().length - 1]!;
    const settings = { ...defaultSettings(), ui: { theme: 'system', language } };
    engine.answer(call.id, settings);
    engine.answer(again.id, settings);
    await answered;
    fake.timers.advance(1000);
    expect(fake.trays[0]!.tooltip).toBe(tooltip);
  });
});
