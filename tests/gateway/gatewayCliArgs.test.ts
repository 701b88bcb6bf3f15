/** `byoi-gateway serve` flags for upstream routing: the config file, timeouts and the queue. */
import { describe, expect, it } from 'vitest';
import { ADMIN_HELP } from '../../gateway/admin/adminCli.js';
import { GATEWAY_HELP, parseCommand, UsageError } from '../../gateway/cliArgs.js';

const serve = (argv: string[]) => {
  const command = parseCommand(['serve', ...argv], {});
  if (command.kind !== 'serve') throw new Error(`not serve: ${command.kind}`);
  return command.config;
};

describe('serve routing flags', () => {
  it('has defaults', () => {
    expect(serve([])).toMatchObject({
      configFile: undefined,
      connectTimeoutMs: 5000,
      firstTokenTimeoutMs: 30_000,
      queueWaitMs: 30_000,
      queueLength: 256,
      healthIntervalMs: 30_000,
    });
  });

  it('parses every flag', () => {
    expect(
      serve([
        '--config', '/etc/byoi/gateway.yaml',
        '--connect-timeout-ms', '250',
        '--first-token-timeout-ms', '1500',
        '--queue-wait-ms', '0',
        '--queue-length', '8',
        '--health-interval-ms', '1000',
      ]), // prettier-ignore
    ).toMatchObject({
      configFile: '/etc/byoi/gateway.yaml',
      connectTimeoutMs: 250,
      firstTokenTimeoutMs: 1500,
      queueWaitMs: 0,
      queueLength: 8,
      healthIntervalMs: 1000,
    });
  });

  it.each([
    [['--connect-timeout-ms', '0'], /--connect-timeout-ms must be a whole number from 1/],
    [['--first-token-timeout-ms', 'soon'], /--first-token-timeout-ms must be a whole number/],
    [['--queue-length', '-1'], /--queue-length/],
    [['--queue-wait-ms', '1.5'], /--queue-wait-ms must be a whole number/],
    [['--health-interval-ms', '99999999999'], /--health-interval-ms must be a whole number/],
    [['--config='], /--config needs a file name/],
    [['--config'], /argument missing/],
  ])('refuses %j', (argv, message) => {
    expect(() => serve(argv)).toThrow(UsageError);
    expect(() => serve(argv)).toThrow(message);
  });

  it('documents the flags and the admin commands', () => {
    for (const flag of [
      '--config FILE',
      '--connect-timeout-ms',
      '--first-token-timeout-ms',
      '--queue-wait-ms',
      '--queue-length',
      '--health-interval-ms',
    ]) {
      expect(GATEWAY_HELP).toContain(flag);
    }
    expect(GATEWAY_HELP).toContain('${ENV_NAME}');
    for (const command of [
      'provider add NAME',
      'provider list',
      'provider remove',
      'provider disable',
      'provider enable',
      'routing set',
      'routing list',
      'routing remove',
      '--by model|route|key|node',
      'routes ',
      'compare --org',
    ]) {
      expect(ADMIN_HELP).toContain(command);
    }
  });
});

describe('--database', () => {
  const admin = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
    const command = parseCommand(['admin', ...argv, 'org', 'list'], env);
    if (command.kind !== 'admin') throw new Error(`not admin: ${command.kind}`);
    return command.config;
  };

  it('takes a PostgreSQL URL from the flag or BYOI_DATABASE_URL, for serve and admin', () => {
    const url = 'postgres://byoi:pw@db.example.com:5432/byoi';
    expect(serve([]).database).toBeUndefined();
    expect(serve(['--database', url]).database).toBe(url);
    expect(parseCommand([], { BYOI_DATABASE_URL: url })).toMatchObject({
      config: { database: url },
    });
    expect(admin(['--database', url])).toMatchObject({ database: url, argv: ['org', 'list'] });
    expect(admin([`--database=${url}`])).toMatchObject({ database: url });
    expect(admin([], { BYOI_DATABASE_URL: 'postgresql:///byoi' }).database).toBe(
      'postgresql:///byoi',
    );
    expect(GATEWAY_HELP).toContain('--database URL');
    expect(GATEWAY_HELP).toContain('BYOI_DATABASE_URL');
  });

  it.each(['mysql://db/x', '/var/lib/byoi', 'postgres://u:hunter2@[bad/x'])(
    'refuses %j without showing a password',
    (url) => {
      const error = (() => {
        try {
          serve(['--database', url]);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(UsageError);
      expect((error as Error).message).toMatch(/^--database: The database URL /);
      expect((error as Error).message).not.toContain('hunter2');
    },
  );
});

describe('--relay-url', () => {
  it('names where the other instances of a cluster reach this one', () => {
    expect(serve([]).relayUrl).toBeUndefined();
    expect(serve(['--relay-url', 'http://10.0.0.5:11500/']).relayUrl).toBe('http://10.0.0.5:11500');
    expect(() => serve(['--relay-url', '10.0.0.5:11500'])).toThrow(UsageError);
    expect(GATEWAY_HELP).toContain('--relay-url URL');
  });
});
