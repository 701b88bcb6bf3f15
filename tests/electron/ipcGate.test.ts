/**
 * The IPC gate, with stand-ins for Electron's windows and frames (no Electron binary here).
 */
import { describe, expect, it, vi } from 'vitest';
import { appOrigin } from '../../main/electron/appOrigin.js';
import { IPC_CHANNELS, type EngineProcessState } from '../../common/ipcContract.js';
import { EngineCallError, EngineUnavailableError } from '../../main/electron/engineMessages.js';
import { IpcGate, type IpcGateOptions } from '../../main/electron/ipcGate.js';
import { FakeFrame, FakeIpcMain, FakeWebContents, invokeEvent, recordingLogger } from './fakes.js';

const INDEX = '/opt/BYOI Node/resources/app.asar/out/renderer/index.html';
const INDEX_URL = 'file:///opt/BYOI%20Node/resources/app.asar/out/renderer/index.html';

function setup(
  options: { dev?: string } & Pick<IpcGateOptions, 'privateNetwork' | 'updates'> = {},
) {
  const url = options.dev ? `${options.dev}/` : INDEX_URL;
  const ours = new FakeWebContents(new FakeFrame(url, 7, 1));
  const call = vi.fn(async (verb: string, args: unknown) => ({ verb, args }));
  const logger = recordingLogger();
  const snapshot: EngineProcessState = {
    state: 'running',
    lastError: null,
    crashes: [],
    restartAt: null,
    pid: 42,
  };
  let window: { webContents: FakeWebContents } | null = { webContents: ours };
  const gate = new IpcGate({
    origin: appOrigin(INDEX, options.dev),
    window: () => window,
    call,
    engineState: () => snapshot,
    privateNetwork: options.privateNetwork,
    updates: options.updates,
    logger,
  });
  const fromUs = () => invokeEvent(ours, ours.mainFrame);
  return { gate, ours, call, logger, snapshot, fromUs, closeWindow: () => (window = null) };
}

describe('IpcGate', () => {
  it('forwards a good call with its parsed arguments', async () => {
    const { gate, call, fromUs } = setup();
    const reply = await gate.handle(IPC_CHANNELS.call, fromUs(), {
      verb: 'setMode',
      args: { mode: 'always' },
    });
    expect(reply).toEqual({ ok: true, result: { verb: 'setMode', args: { mode: 'always' } } });
    expect(call).toHaveBeenCalledWith('setMode', { mode: 'always' });
  });

  it('accepts a call from a hash route of the dashboard, and absent args as {}', async () => {
    const { gate, ours, call } = setup();
    const frame = new FakeFrame(
      `${INDEX_URL}#/overview`,
      ours.mainFrame.processId,
      ours.mainFrame.routingId,
    );
    const reply = await gate.handle(IPC_CHANNELS.call, invokeEvent(ours, frame), {
      verb: 'getStatus',
    });
    expect(reply.ok).toBe(true);
    expect(call).toHaveBeenCalledWith('getStatus', {});
  });

  it('accepts the dev server origin in dev, and nothing else there', async () => {
    const { gate, ours } = setup({ dev: 'http://localhost:5173' });
    expect(
      (
        await gate.handle(IPC_CHANNELS.call, invokeEvent(ours, ours.mainFrame), {
          verb: 'getStatus',
          args: {},
        })
      ).ok,
    ).toBe(true);
    const other = new FakeFrame('http://localhost:5174/', 7, 1);
    const reply = await gate.handle(IPC_CHANNELS.call, invokeEvent(ours, other), {
      verb: 'getStatus',
      args: {},
    });
    expect(reply).toMatchObject({ ok: false, error: { code: 'foreign_sender' } });
  });

  it('rejects an unknown channel', async () => {
    const { gate, fromUs, call, logger } = setup();
    const reply = await gate.handle('byoi:shell', fromUs(), { verb: 'getStatus', args: {} });
    expect(reply).toMatchObject({ ok: false, error: { status: 404, code: 'unknown_channel' } });
    expect(reply.ok === false && reply.error.message).toContain("'byoi:shell'");
    expect(call).not.toHaveBeenCalled();
    expect(logger.entries).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'ipc call refused' }),
    );
  });

  it('rejects another window', async () => {
    const { gate, call } = setup();
    const other = new FakeWebContents(new FakeFrame(INDEX_URL, 9, 1));
    const reply = await gate.handle(IPC_CHANNELS.call, invokeEvent(other, other.mainFrame), {
      verb: 'getStatus',
      args: {},
    });
    expect(reply).toMatchObject({ ok: false, error: { status: 403, code: 'foreign_sender' } });
    expect(reply.ok === false && reply.error.message).toMatch(/another window/);
    expect(call).not.toHaveBeenCalled();
  });

  it('rejects a subframe of our window, even one showing our own URL', async () => {
    const { gate, ours, call } = setup();
    const sub = new FakeFrame(INDEX_URL, 7, 2, ours.mainFrame);
    const reply = await gate.handle(IPC_CHANNELS.call, invokeEvent(ours, sub), {
      verb: 'getStatus',
      args: {},
    });
    expect(reply.ok === false && reply.error.message).toMatch(/subframe/);
    expect(call).not.toHaveBeenCalled();
  });

  it('rejects our main frame once it shows a different URL', async () => {
    const { gate, ours, call } = setup();
    for (const url of [
      'https://evil.example/',
      'file:///tmp/index.html',
      'about:blank',
      'not a url',
    ]) {
      (ours.mainFrame as FakeFrame).url = url;
      const reply = await gate.handle(IPC_CHANNELS.call, invokeEvent(ours, ours.mainFrame), {
        verb: 'getStatus',
        args: {},
      });
      expect(reply.ok === false && reply.error.message, url).toMatch(/not the dashboard/);
    }
    expect(call).not.toHaveBeenCalled();
  });

  it('rejects a destroyed frame and calls while no window is open', async () => {
    const { gate, ours, closeWindow } = setup();
    expect(
      await gate.handle(IPC_CHANNELS.call, invokeEvent(ours, null), {
        verb: 'getStatus',
        args: {},
      }),
    ).toMatchObject({ ok: false, error: { code: 'foreign_sender' } });
    closeWindow();
    expect(
      await gate.handle(IPC_CHANNELS.call, invokeEvent(ours, ours.mainFrame), {
        verb: 'getStatus',
        args: {},
      }),
    ).toMatchObject({ ok: false, error: { code: 'foreign_sender' } });
  });

  it('rejects an unknown verb, and inherited names like toString', async () => {
    const { gate, fromUs, call } = setup();
    for (const verb of ['deleteEverything', 'toString', '__proto__']) {
      const reply = await gate.handle(IPC_CHANNELS.call, fromUs(), { verb, args: {} });
      expect(reply).toMatchObject({
        ok: false,
        error: { status: 404, code: 'unknown_verb', param: 'verb' },
      });
    }
    expect(await gate.handle(IPC_CHANNELS.call, fromUs(), 'getStatus')).toMatchObject({
      ok: false,
      error: { param: 'verb' },
    });
    expect(call).not.toHaveBeenCalled();
  });

  it('rejects bad arguments and names the parameter', async () => {
    const { gate, fromUs, call } = setup();
    const bad = await gate.handle(IPC_CHANNELS.call, fromUs(), {
      verb: 'setMode',
      args: { mode: 'turbo' },
    });
    expect(bad).toMatchObject({ ok: false, error: { status: 400, param: 'mode' } });
    expect(bad.ok === false && bad.error.message).toMatch(/^setMode: Invalid 'mode'/);

    const missing = await gate.handle(IPC_CHANNELS.call, fromUs(), {
      verb: 'runBenchmark',
      args: {},
    });
    expect(missing).toMatchObject({
      ok: false,
      error: { param: 'model', code: 'missing_required_parameter' },
    });

    const extra = await gate.handle(IPC_CHANNELS.call, fromUs(), {
      verb: 'pause',
      args: { minutes: 5, force: true },
    });
    expect(extra).toMatchObject({ ok: false, error: { status: 400 } });
    expect(extra.ok === false && extra.error.message).toContain('force');

    const nested = await gate.handle(IPC_CHANNELS.call, fromUs(), {
      verb: 'updateSettings',
      args: { schedule: { idleThresholdSeconds: -1 } },
    });
    expect(nested).toMatchObject({ ok: false, error: { param: 'schedule.idleThresholdSeconds' } });
    expect(call).not.toHaveBeenCalled();
  });

  it('answers the engine state on its own channel, after the same sender check', async () => {
    const { gate, fromUs, snapshot } = setup();
    expect(await gate.handle(IPC_CHANNELS.engineState, fromUs(), undefined)).toEqual({
      ok: true,
      result: snapshot,
    });
    const other = new FakeWebContents();
    expect(
      (await gate.handle(IPC_CHANNELS.engineState, invokeEvent(other, other.mainFrame), undefined))
        .ok,
    ).toBe(false);
  });

  it('passes engine errors through with their fields, and hides unexpected ones', async () => {
    const { gate, fromUs, call } = setup();
    const wire = {
      status: 400,
      message: 'no such model',
      type: 'invalid_request_error',
      code: 'model_not_found',
      param: 'model',
    };
    call.mockRejectedValueOnce(new EngineCallError(wire));
    expect(
      await gate.handle(IPC_CHANNELS.call, fromUs(), {
        verb: 'runBenchmark',
        args: { model: 'x' },
      }),
    ).toEqual({ ok: false, error: wire });

    call.mockRejectedValueOnce(new EngineUnavailableError('The engine is restarting'));
    expect(
      await gate.handle(IPC_CHANNELS.call, fromUs(), { verb: 'getStatus', args: {} }),
    ).toMatchObject({ ok: false, error: { status: 503, code: 'engine_unavailable' } });

    call.mockRejectedValueOnce(new Error('secret internals'));
    const hidden = await gate.handle(IPC_CHANNELS.call, fromUs(), { verb: 'getStatus', args: {} });
    expect(hidden).toMatchObject({ ok: false, error: { status: 500 } });
    expect(JSON.stringify(hidden)).not.toContain('secret internals');
  });

  it('registers only its invoke channels, and never logs arguments', async () => {
    const { gate, fromUs, logger } = setup();
    const ipcMain = new FakeIpcMain();
    const remove = gate.register(ipcMain);
    expect([...ipcMain.handlers.keys()].sort()).toEqual(
      [
        IPC_CHANNELS.call,
        IPC_CHANNELS.engineState,
        IPC_CHANNELS.privateNetwork,
        IPC_CHANNELS.updateState,
        IPC_CHANNELS.restartToUpdate,
      ].sort(),
    );
    expect([...ipcMain.handlers.keys()].every((channel) => channel.startsWith('byoi:'))).toBe(true);
    await ipcMain.handlers.get(IPC_CHANNELS.call)?.(fromUs(), {
      verb: 'joinNetwork',
      args: { gatewayURL: 'ftp://x', code: 'SECRET-CODE' },
    });
    expect(JSON.stringify(logger.entries)).not.toContain('SECRET-CODE');
    remove();
    expect(ipcMain.handlers.size).toBe(0);
  });

  it('starts the private network on its own channel, with {} only and the same sender checks', async () => {
    const info = { gatewayURL: 'http://127.0.0.1:1', apiKey: 'byoi-sk-x', adminURL: 'u' };
    const start = vi.fn(async () => info);
    const { gate, ours, fromUs: sender } = setup({ privateNetwork: start });
    const fromUs = sender();
    expect(await gate.handle(IPC_CHANNELS.privateNetwork, fromUs, {})).toEqual({
      ok: true,
      result: info,
    });
    const sub = new FakeFrame(INDEX_URL, 7, 2, ours.mainFrame);
    const other = new FakeWebContents();
    const refusals = [
      await gate.handle(IPC_CHANNELS.privateNetwork, invokeEvent(ours, sub), {}),
      await gate.handle(IPC_CHANNELS.privateNetwork, invokeEvent(other, other.mainFrame), {}),
      await gate.handle(IPC_CHANNELS.privateNetwork, fromUs, { port: 1 }),
      await gate.handle(IPC_CHANNELS.privateNetwork, fromUs, 'start'),
    ];
    expect(refusals.map((reply) => (reply.ok ? 200 : reply.error.status))).toEqual([
      403, 403, 400, 400,
    ]);
    expect(start).toHaveBeenCalledTimes(1);

    start.mockRejectedValueOnce(new Error('listen EADDRINUSE 127.0.0.1:8787'));
    expect(await gate.handle(IPC_CHANNELS.privateNetwork, fromUs, {})).toMatchObject({
      ok: false,
      error: { status: 500, code: 'private_network_failed', message: /EADDRINUSE/ },
    });
  });

  it('answers the update state, and restarts to update only once one is downloaded', async () => {
    let downloaded = false;
    const restart = vi.fn(() => downloaded);
    const state = {
      state: 'downloaded' as const,
      version: '0.2.0',
      error: null,
      checkedAt: '2026-01-01T00:00:00.000Z',
    };
    const { gate, fromUs: sender } = setup({
      updates: { status: state, restartToUpdate: restart },
    });
    const fromUs = sender();
    expect(await gate.handle(IPC_CHANNELS.updateState, fromUs, undefined)).toEqual({
      ok: true,
      result: state,
    });
    expect(await gate.handle(IPC_CHANNELS.restartToUpdate, fromUs, {})).toMatchObject({
      ok: false,
      error: { status: 409, code: 'no_update_downloaded' },
    });
    downloaded = true;
    const other = new FakeWebContents();
    expect(
      await gate.handle(IPC_CHANNELS.restartToUpdate, invokeEvent(other, other.mainFrame), {}),
    ).toMatchObject({ ok: false, error: { status: 403 } });
    expect(await gate.handle(IPC_CHANNELS.restartToUpdate, fromUs, { now: 1 })).toMatchObject({
      ok: false,
      error: { status: 400, message: 'restartToUpdate takes no arguments ({})' },
    });
    expect(restart).toHaveBeenCalledTimes(1);
    expect(await gate.handle(IPC_CHANNELS.restartToUpdate, fromUs, {})).toEqual({
      ok: true,
      result: true,
    });
  });

  it('says updates are disabled where the app does not update itself', async () => {
    const { gate, fromUs } = setup();
    expect(await gate.handle(IPC_CHANNELS.updateState, fromUs(), undefined)).toMatchObject({
      ok: true,
      result: { state: 'disabled' },
    });
    expect(await gate.handle(IPC_CHANNELS.restartToUpdate, fromUs(), {})).toMatchObject({
      ok: false,
      error: { status: 409 },
    });
  });
});
