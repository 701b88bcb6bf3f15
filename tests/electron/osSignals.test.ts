/**
 * OS signals to the scheduler, with a stand-in for Electron's powerMonitor.
 */
import { describe, expect, it } from 'vitest';
import { startOsSignals, type SignalReport } from '../../main/electron/osSignals.js';
import { FakePowerMonitor, FakeTimers, recordingLogger } from './fakes.js';

function setup(options: { running?: boolean; failing?: boolean } = {}) {
  const powerMonitor = new FakePowerMonitor();
  const timers = new FakeTimers();
  const reports: SignalReport[] = [];
  const logger = recordingLogger();
  let running = options.running ?? true;
  const signals = startOsSignals({
    powerMonitor,
    report: async (report) => {
      reports.push(report);
      if (options.failing) throw new Error('engine restarting');
    },
    engineRunning: () => running,
    timers,
    logger,
  });
  return {
    powerMonitor,
    timers,
    reports,
    signals,
    logger,
    setRunning: (value: boolean) => (running = value),
  };
}

describe('OS signals', () => {
  it('reports idle time and battery at start, then idle time every second, zeros included', () => {
    const { powerMonitor, timers, reports } = setup();
    expect(reports).toEqual([{ userIdleSeconds: 0, onBattery: false }]);
    powerMonitor.idleSeconds = 3;
    timers.advance(1000);
    powerMonitor.idleSeconds = 0; // the user is typing: still reported every time
    timers.advance(1000);
    timers.advance(1000);
    expect(reports.slice(1)).toEqual([
      { userIdleSeconds: 3 },
      { userIdleSeconds: 0 },
      { userIdleSeconds: 0 },
    ]);
  });

  it('reports battery changes as they happen', () => {
    const { powerMonitor, reports } = setup();
    powerMonitor.emit('on-battery');
    powerMonitor.emit('on-ac');
    expect(reports.slice(1)).toEqual([{ onBattery: true }, { onBattery: false }]);
  });

  it('reports the user back at once on unlock and on becoming active', () => {
    const { powerMonitor, reports } = setup();
    powerMonitor.emit('unlock-screen');
    powerMonitor.emit('user-did-become-active');
    expect(reports.slice(1)).toEqual([{ userIdleSeconds: 0 }, { userIdleSeconds: 0 }]);
  });

  it('stops polling on suspend and reports fresh idle time at once on resume', () => {
    const { powerMonitor, timers, reports } = setup();
    powerMonitor.emit('suspend');
    timers.advance(10_000);
    expect(reports).toHaveLength(1);
    powerMonitor.idleSeconds = 2;
    powerMonitor.emit('resume');
    expect(reports[reports.length - 1]).toEqual({ userIdleSeconds: 2 });
    timers.advance(1000);
    expect(reports).toHaveLength(3);
    expect(timers.pending()).toEqual([1000]); // one poll loop, not two
  });

  it('says nothing while the engine is down, and resends everything when asked', () => {
    const { powerMonitor, timers, reports, signals, setRunning } = setup({ running: false });
    timers.advance(3000);
    powerMonitor.emit('on-battery');
    expect(reports).toEqual([]);
    setRunning(true);
    powerMonitor.onBattery = true;
    powerMonitor.idleSeconds = 9;
    signals.resendAll();
    expect(reports).toEqual([{ userIdleSeconds: 9, onBattery: true }]);
  });

  it('logs a failing report once per run of failures, and stops cleanly', async () => {
    const { powerMonitor, timers, logger, signals, reports } = setup({ failing: true });
    timers.advance(3000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(logger.entries.filter((entry) => entry.level === 'warn')).toHaveLength(1);
    signals.stop();
    const count = reports.length;
    timers.advance(5000);
    powerMonitor.emit('on-battery');
    expect(reports).toHaveLength(count);
    expect(powerMonitor.listenerCount('on-battery')).toBe(0);
  });
});
