/**
 * The preload's `window.byoi`, over a stand-in ipcRenderer (no Electron binary here), and
 * its agreement with the main process's channels and the NodeApi verbs.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { nodeApiArgs } from '../../common/nodeApi.js';
import { isNodeApiVerb, NODE_API_VERBS } from '../../common/nodeApiVerbs.js';
import { createBridge, type IpcRendererLike } from '../../preload/bridge.js';

class FakeIpcRenderer extends EventEmitter implements IpcRendererLike {
  invoke = vi.fn(async (_channel: string, ..._args: unknown[]): Promise<unknown> => ({
    ok: true,
    result: 'done',
  }));
}

describe('preload bridge', () => {
  it('knows exactly the verbs that have argument schemas, and nothing inherited', () => {
    expect([...NODE_API_VERBS].sort()).toEqual(Object.keys(nodeApiArgs).sort());
    expect(isNodeApiVerb('toString')).toBe(false);
    expect(isNodeApiVerb('__proto__')).toBe(false);
    expect(isNodeApiVerb(42)).toBe(false);
  });

  it('exposes named functions only: no ipcRenderer, no send, frozen', () => {
    const bridge = createBridge(new FakeIpcRenderer(), '0.1.0', 'linux');
    expect(Object.keys(bridge).sort()).toEqual(
      [
        'call',
        'engineState',
        'onEngineState',
        'onEvent',
        'onNavigate',
        'platform',
        'startPrivateNetwork',
        'updateState',
        'onUpdateState',
        'restartToUpdate',
        'version',
      ].sort(),
    );
    expect(Object.isFrozen(bridge)).toBe(true);
    expect(bridge).toMatchObject({ version: '0.1.0', platform: 'linux' });
  });

  it('sends {verb, args} on byoi:call and unwraps the answer', async () => {
    const ipc = new FakeIpcRenderer();
    const bridge = createBridge(ipc, '0.1.0', 'linux');
    await expect(bridge.call('setMode', { mode: 'always' })).resolves.toBe('done');
    expect(ipc.invoke).toHaveBeenCalledWith('byoi:call', {
      verb: 'setMode',
      args: { mode: 'always' },
    });
  });

  it('refuses an unknown verb before it leaves the page', async () => {
    const ipc = new FakeIpcRenderer();
    const bridge = createBridge(ipc, '0.1.0', 'linux');
    await expect(bridge.call('rmRf' as 'getStatus', {})).rejects.toThrow("Unknown verb 'rmRf'");
    expect(ipc.invoke).not.toHaveBeenCalled();
  });

  it('turns an error answer into an Error whose message names the parameter', async () => {
    const ipc = new FakeIpcRenderer();
    ipc.invoke.mockResolvedValueOnce({
      ok: false,
      error: {
        status: 400,
        message: "setMode: Invalid 'mode': Invalid option",
        type: 'invalid_request_error',
        code: 'invalid_value',
        param: 'mode',
      },
    });
    const bridge = createBridge(ipc, '0.1.0', 'linux');
    const error = await bridge.call('setMode', { mode: 'idle' }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      message: "setMode: Invalid 'mode': Invalid option",
      param: 'mode',
      status: 400,
    });
  });

  it('delivers events without the IPC event object, and unsubscribes', () => {
    const ipc = new FakeIpcRenderer();
    const bridge = createBridge(ipc, '0.1.0', 'linux');
    const seen: unknown[][] = [];
    const off = bridge.onEvent((...args: unknown[]) => void seen.push(args));
    const sender = { sender: 'secret ipc event' };
    ipc.emit('byoi:event', sender, { type: 'log' });
    off();
    ipc.emit('byoi:event', sender, { type: 'log' });
    expect(seen).toEqual([[{ type: 'log' }]]);
    expect(ipc.listenerCount('byoi:event')).toBe(0);

    const states: unknown[] = [];
    const navigations: unknown[] = [];
    bridge.onEngineState((state) => states.push(state));
    bridge.onNavigate((to) => navigations.push(to));
    ipc.emit('byoi:engine', sender, { state: 'restarting' });
    ipc.emit('byoi:navigate', sender, { panel: 'overview', focus: 'diagnostics' });
    expect(states).toEqual([{ state: 'restarting' }]);
    expect(navigations).toEqual([{ panel: 'overview', focus: 'diagnostics' }]);
    expect(() => bridge.onEvent('nope' as never)).toThrow(TypeError);
  });

  it('asks for the engine state on its own channel', async () => {
    const ipc = new FakeIpcRenderer();
    ipc.invoke.mockResolvedValueOnce({ ok: true, result: { state: 'running' } });
    await expect(createBridge(ipc, '0.1.0', 'linux').engineState()).resolves.toEqual({
      state: 'running',
    });
    expect(ipc.invoke).toHaveBeenCalledWith('byoi:engine-state');
  });

  it('starts the private network on its own channel with {} and unwraps the answer', async () => {
    const ipc = new FakeIpcRenderer();
    const info = {
      gatewayURL: 'http://127.0.0.1:8787',
      apiKey: 'byoi-sk-x',
      adminURL: 'http://127.0.0.1:8787/admin/v1',
    };
    ipc.invoke.mockResolvedValueOnce({ ok: true, result: info });
    await expect(createBridge(ipc, '0.1.0', 'linux').startPrivateNetwork()).resolves.toEqual(info);
    expect(ipc.invoke).toHaveBeenCalledWith('byoi:private-network', {});
  });
});
