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
