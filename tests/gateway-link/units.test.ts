/** Pure parts of the gateway: command-line parsing and close reasons. */
import { describe, expect, it } from 'vitest';
import { parseCommand, UsageError } from '../../gateway/cliArgs.js';
import { closeReason, MAX_CLOSE_REASON_BYTES } from '../../gateway/link/frames.js';

describe('parseCommand', () => {
  it('has loopback defaults and reads the environment', () => {
    const command = parseCommand([], {
      BYOI_GATEWAY_DATA_DIR: '/data',
      BYOI_ADMIN_TOKEN: 'env-token',
    });
    expect(command).toEqual({
      kind: 'serve',
      config: {
        host: '127.0.0.1',
        port: 11500,
        dataDir: '/data',
        adminToken: 'env-token',
        feeBasisPoints: 1000,
        maxPrice: { prompt: 10, completion: 20 },
        heartbeatMs: 5000,
        marketIntervalMs: 60_000,
        json: false,
        logLevel: 'info',
        configFile: undefined,
        connectTimeoutMs: 5000,
        firstTokenTimeoutMs: 30_000,
        stallTimeoutMs: 15_000,
        quarantineAfter: 5,
        queueWaitMs: 30_000,
        queueLength: 256,
        healthIntervalMs: 30_000,
      },
    });
  });

  it('parses serve flags', () => {
    const command = parseCommand(
      [
        'serve',
        '--host',
        '0.0.0.0',
        '--port',
        '0',
        '--fee-bps',
        '250',
        '--max-price',
        '0.5/1.5',
        '--market-interval-ms',
        '250',
        '--quarantine-after',
        '0',
        '--json',
      ],
      {},
    );
    expect(command).toMatchObject({
      kind: 'serve',
      config: {
        host: '0.0.0.0',
        port: 0,
        feeBasisPoints: 250,
        maxPrice: { prompt: 0.5, completion: 1.5 },
        marketIntervalMs: 250,
        quarantineAfter: 0,
        json: true,
      },
    });
  });

  it.each([
    [['--port', '70000']],
    [['--fee-bps', '10001']],
    [['--max-price', '10']],
    [['--heartbeat-ms', '5']],
    [['--market-interval-ms', '0']],
    [['--quarantine-after', '-1']],
    [['--log-level', 'loud']],
    [['stray']],
  ])('refuses %j', (argv) => {
    expect(() => parseCommand(argv, {})).toThrow(UsageError);
  });

  it('splits admin flags from the admin command', () => {
    expect(
      parseCommand(
        [
          'admin',
          '--url',
          'http://127.0.0.1:9/',
          '--admin-token',
          't',
          'org',
          'create',
          'Acme',
          '--json',
        ],
        {},
      ),
    ).toMatchObject({
      kind: 'admin',
      config: {
        url: 'http://127.0.0.1:9',
        adminToken: 't',
        argv: ['org', 'create', 'Acme', '--json'],
      },
    });
    expect(() => parseCommand(['admin', '--url', 'ftp://x', 'org', 'list'], {})).toThrow(
      UsageError,
    );
    expect(() => parseCommand(['admin', '--url'], {})).toThrow(UsageError);
  });
});

describe('closeReason', () => {
  it('cuts to 123 UTF-8 bytes without splitting a character', () => {
    const reason = closeReason('é'.repeat(100));
    expect(Buffer.byteLength(reason)).toBeLessThanOrEqual(MAX_CLOSE_REASON_BYTES);
    expect(reason).toBe('é'.repeat(61));
    expect(closeReason('short')).toBe('short');
  });
});
