/**
 * The engine supervisor, with a stand-in utilityProcess child (no Electron binary here) and
 * timers fired by hand.
 */
import { describe, expect, it } from 'vitest';
import { EngineSupervisor, MAX_CRASHES } from '../../main/electron/engineSupervisor.js';
import { EngineCallError, EngineUnavailableError } from '../../main/electron/engineMessages.js';
import { FakeChild, FakeTimers, makeStatus, recordingLogger } from './fakes.js';

function setup() {
  const timers = new FakeTimers();
  const children: FakeChild[] = [];
  const logger = recordingLogger();
  const output: string[] = [];
  const supervisor = new EngineSupervisor({
    fork: () => {
      const child = new FakeChild();
      children.push(child);
      return child;
    },
    timers,
    now: timers.now,
    logger,
    onOutput: (line) => output.push(line),
  });
  const states: string[] = [];
  supervisor.onState((snapshot) => states.push(snapshot.state));
  const latest = () => children[children.length - 1] as FakeChild;
  return { supervisor, timers, children, latest, logger, states, output };
}

describe('EngineSupervisor', () => {
  it('starts the engine, queues calls until it has spawned, and resolves answers', async () => {
    const { supervisor, latest, states } = setup();
    supervisor.start();
    expect(supervisor.snapshot().state).toBe('starting');
    const status = supervisor.call('getStatus', {});
    expect(latest().posted).toEqual([]);
    latest().spawned();
    expect(states).toEqual(['starting', 'running']);
    const [message] = latest().calls();
    expect(message).toMatchObject({ type: 'call', verb: 'getStatus', args: {} });
    latest().answer(message!.id, { ok: 1 });
    await expect(status).resolves.toEqual({ ok: 1 });
  });

  it('rejects with the engine error, and keeps pushed status snapshots', async () => {
    const { supervisor, latest } = setup();
    supervisor.start();
    latest().spawned();
    const events: unknown[] = [];
    supervisor.onEvent((event) => events.push(event));
    const call = supervisor.call('runBenchmark', { model: 'x' });
    const id = latest().calls()[0]!.id;
    latest().emit('message', {
      type: 'error',
      id,
      error: {
        status: 404,
        message: 'no model x',
        type: 'invalid_request_error',
        code: 'model_not_found',
        param: 'model',
      },
    });
    await expect(call).rejects.toBeInstanceOf(EngineCallError);
    await expect(call).rejects.toMatchObject({ wire: { param: 'model' } });

    const status = makeStatus();
    latest().emit('message', { type: 'event', event: { type: 'status', status } });
    latest().emit('message', { type: 'nonsense' });
    latest().emit('message', 'garbage');
    expect(events).toEqual([{ type: 'status', status }]);
    expect(supervisor.latestStatus).toEqual(status);
  });

  it('fails the pending calls with a clear error when the engine exits', async () => {
    const { supervisor, latest } = setup();
    supervisor.start();
    latest().spawned();
    const pending = supervisor.call('getEarnings', {});
    const queuedBeforeSpawn = supervisor.call('getStatus', {});
    latest().exit(134);
    await expect(pending).rejects.toBeInstanceOf(EngineUnavailableError);
    await expect(pending).rejects.toThrow(
      "The engine crashed (exit code 134) before answering 'getEarnings'.",
    );
    await expect(queuedBeforeSpawn).rejects.toThrow(/exit code 134/);
    // While it waits to restart, calls fail at once and say so.
    await expect(supervisor.call('getStatus', {})).rejects.toThrow(
      /restarting .* starts again in 1 s/,
    );
  });

  it('never replays a call queued for an engine that died before spawning', async () => {
    const { supervisor, timers, children, latest } = setup();
    supervisor.start();
    const queued = supervisor.call('getStatus', {});
    latest().exit(1);
    await expect(queued).rejects.toThrow(/exit code 1/);
    timers.advance(1000);
    expect(children).toHaveLength(2);
    latest().spawned();
    expect(latest().posted).toEqual([]);
  });

  it('records each crash and restarts with backoff: 1 s, 2 s, 4 s … capped at 30 s', () => {
    const { supervisor, timers, children, latest } = setup();
    supervisor.start();
    const delays: number[] = [];
    for (let crash = 0; crash < 7; crash++) {
      latest().spawned();
      timers.advance(500); // crashes soon after starting
      latest().exit(1);
      expect(supervisor.snapshot().state).toBe('restarting');
      delays.push(timers.pending()[0]!);
      const before = children.length;
      timers.advance(delays[delays.length - 1]! - 1);
      expect(children.length).toBe(before); // not a moment early
      timers.advance(1);
      expect(children.length).toBe(before + 1);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    const { crashes, lastError } = supervisor.snapshot();
    expect(crashes).toHaveLength(7);
    expect(crashes[0]).toMatchObject({ code: 1, uptimeMs: 500, reason: 'crashed (exit code 1)' });
    expect(lastError).toMatch(/^The engine crashed \(exit code 1\) at \d{4}-/);
  });

  it('resets the backoff after a run that stayed healthy for 60 s', () => {
    const { supervisor, timers, latest } = setup();
    supervisor.start();
    for (let crash = 0; crash < 3; crash++) {
      latest().spawned();
      latest().exit(1);
      timers.advance(timers.pending()[0]!);
    }
    latest().spawned();
    latest().exit(1);
    expect(timers.pending()[0]).toBe(8000);
    timers.advance(8000);
    latest().spawned();
    timers.advance(60_000);
    latest().exit(9);
    expect(timers.pending()[0]).toBe(1000);
    expect(supervisor.snapshot().crashes[0]).toMatchObject({ code: 9, uptimeMs: 60_000 });
  });

  it('keeps at most MAX_CRASHES records, newest first', () => {
    const { supervisor, timers, latest } = setup();
    supervisor.start();
    for (let crash = 0; crash < MAX_CRASHES + 5; crash++) {
      latest().spawned();
      latest().exit(crash);
      timers.advance(30_000);
    }
    const { crashes } = supervisor.snapshot();
    expect(crashes).toHaveLength(MAX_CRASHES);
    expect(crashes[0]!.code).toBe(MAX_CRASHES + 4);
  });

  it('treats a fork that throws, or a V8 fatal error, as a crash with its reason', () => {
    const timers = new FakeTimers();
    let attempts = 0;
    const child = new FakeChild();
    const supervisor = new EngineSupervisor({
      fork: () => {
        if (attempts++ === 0) throw new Error('engine-host.js not found');
        return child;
      },
      timers,
      now: timers.now,
      logger: recordingLogger(),
    });
    supervisor.start();
    expect(supervisor.snapshot()).toMatchObject({ state: 'restarting', crashes: [{ code: -1 }] });
    expect(supervisor.snapshot().lastError).toContain('engine-host.js not found');
    timers.advance(1000);
    child.spawned();
    child.emit('error', 'FatalError', 'v8::ToLocalChecked Empty MaybeLocal');
    child.exit(133);
    expect(supervisor.snapshot().crashes[0]!.reason).toBe(
      'crashed (exit code 133): FatalError at v8::ToLocalChecked Empty MaybeLocal',
    );
  });

  it('restartNow skips the wait', () => {
    const { supervisor, timers, children, latest } = setup();
    supervisor.start();
    latest().spawned();
    latest().exit(1);
    supervisor.restartNow();
    expect(children).toHaveLength(2);
    expect(supervisor.snapshot().state).toBe('starting');
    expect(timers.pending()).toEqual([]);
  });

  it('stops for good on quit: kills the engine, never restarts it', async () => {
    const { supervisor, timers, children, latest, states } = setup();
    supervisor.start();
    latest().spawned();
    const call = supervisor.call('getStatus', {});
    const stopped = supervisor.stop();
    expect(latest().killed).toBe(true);
    latest().exit(0);
    await stopped;
    await expect(call).rejects.toThrow(/stopped by the app/);
    expect(supervisor.snapshot()).toMatchObject({ state: 'stopped', crashes: [] });
    expect(states[states.length - 1]).toBe('stopped');
    timers.advance(120_000);
    expect(children).toHaveLength(1);
    supervisor.start();
    expect(children).toHaveLength(1);
    await expect(supervisor.call('getStatus', {})).rejects.toThrow('The engine is not running.');
  });

  it('stop gives up waiting after the timeout, and cancels a pending restart', async () => {
    const { supervisor, timers, children, latest } = setup();
    supervisor.start();
    latest().spawned();
    const stopped = supervisor.stop();
    timers.advance(5000); // the engine ignores SIGTERM
    await stopped;
    expect(supervisor.snapshot().state).toBe('stopped');

    const second = setup();
    second.supervisor.start();
    second.latest().spawned();
    second.latest().exit(1);
    await second.supervisor.stop();
    second.timers.advance(60_000);
    expect(second.children).toHaveLength(1);
    expect(children).toHaveLength(1);
  });

  it('reads as starting before start (the tray shows offline, not an error)', async () => {
    const { supervisor } = setup();
    expect(supervisor.snapshot()).toMatchObject({ state: 'starting', lastError: null, pid: null });
    await expect(supervisor.call('getStatus', {})).rejects.toThrow('The engine is not running.');
  });

  it('refuseToStart leaves the engine down with the reason', async () => {
    const { supervisor, children } = setup();
    supervisor.refuseToStart('The node key could not be decrypted');
    supervisor.start();
    expect(children).toHaveLength(0);
    expect(supervisor.snapshot()).toMatchObject({
      state: 'stopped',
      lastError: 'The node key could not be decrypted',
    });
    await expect(supervisor.call('getStatus', {})).rejects.toThrow(
      /node key could not be decrypted/,
    );
  });

  it('passes the engine output on line by line', () => {
    const { supervisor, latest, output } = setup();
    supervisor.start();
    latest().stdout?.emit('data', Buffer.from('{"msg":"a"}\n{"msg":'));
    latest().stderr?.emit('data', Buffer.from('oops\n'));
    latest().stdout?.emit('data', Buffer.from('"b"}\n'));
    expect(output).toEqual(['{"msg":"a"}', 'oops', '{"msg":"b"}']);
  });
});
