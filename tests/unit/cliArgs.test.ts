import { availableParallelism, homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it, expect } from 'vitest';
import {
  DEFAULT_CONTROL_ADDRESS,
  DEFAULT_OPENAI_ADDRESS,
  SERVE_HELP,
  UsageError,
  defaultThreads,
  parseAddress,
  parseCommand,
  type Command,
  type EnrollConfig,
  type ServeConfig,
} from '../../main/engine/cliArgs.js';

const DEFAULT_DATA_DIR = join(homedir(), '.byoi-node');

/** Parses with an empty environment and expects a serve command. */
function serve(argv: string[], env: NodeJS.ProcessEnv = {}): ServeConfig {
  const command: Command = parseCommand(argv, env);
  if (command.kind !== 'serve') throw new Error(`expected serve, got ${command.kind}`);
  return command.config;
}

describe('parseCommand: serve', () => {
  it('implies serve and fills in the defaults', () => {
    expect(serve(['--model', 'a.gguf'])).toEqual({
      models: ['a.gguf'],
      host: '127.0.0.1',
      port: 11480,
      control: { host: '127.0.0.1', port: 11481 },
      apiKey: undefined,
      threads: undefined,
      parallel: 2,
      queue: 16,
      ctxSize: undefined,
      gpu: 'auto',
      json: false,
      logLevel: 'info',
      dataDir: DEFAULT_DATA_DIR,
      gatewayURL: undefined,
      link: true,
      insecure: false,
      price: {},
      mode: undefined,
    });
    expect(DEFAULT_OPENAI_ADDRESS).toBe('127.0.0.1:11480');
    expect(DEFAULT_CONTROL_ADDRESS).toBe('127.0.0.1:11481');
  });

  it('accepts the explicit serve keyword with the same result', () => {
    expect(serve(['serve', '--model', 'a.gguf'])).toEqual(serve(['--model', 'a.gguf']));
  });

  it('collects repeated --model flags in order', () => {
    expect(
      serve(['--model', 'one.gguf', '--model=two.gguf', '--model', 'three.gguf']).models,
    ).toEqual(['one.gguf', 'two.gguf', 'three.gguf']);
  });

  it('reads every flag', () => {
    // prettier-ignore
    const config = serve([
      '--model', 'm.gguf', '--openai', '0.0.0.0:9000', '--api-key', 'sekrit', '--threads', '3',
      '--parallel', '4', '--queue', '0', '--ctx-size', '512', '--cpu', '--json', '--log-level', 'debug',
      '--data-dir', '/srv/byoi', '--gateway', 'https://gw.example/byoi', '--price-prompt', '0',
      '--price-completion', '1.25', '--control', '[::1]:0', '--mode', 'scheduled',
    ]);
    expect(config).toEqual({
      models: ['m.gguf'],
      host: '0.0.0.0',
      port: 9000,
      control: { host: '::1', port: 0 },
      apiKey: 'sekrit',
      threads: 3,
      parallel: 4,
      queue: 0,
      ctxSize: 512,
      gpu: false,
      json: true,
      logLevel: 'debug',
      dataDir: resolve('/srv/byoi'),
      gatewayURL: 'https://gw.example/byoi',
      link: true,
      insecure: false,
      price: { prompt: 0, completion: 1.25 },
      mode: 'scheduled',
    });
  });

  it('keeps a lone price flag to itself: the other price stays as saved', () => {
    expect(serve(['--model', 'm', '--price-completion', '3']).price).toEqual({ completion: 3 });
  });

  it.each([
    ['--mode', 'sometimes'],
    ['--mode', ''],
    ['--control', 'localhost'],
    ['--control', '1.2.3.4:70000'],
  ])('%s=%s is a UsageError naming the flag', (flag, value) => {
    expect(() => serve(['--model', 'm', `${flag}=${value}`])).toThrow(UsageError);
    expect(() => serve(['--model', 'm', `${flag}=${value}`])).toThrow(flag);
  });

  it.each([
    ['127.0.0.1:8080', '127.0.0.1', 8080],
    ['localhost:0', 'localhost', 0],
    ['[::1]:8080', '::1', 8080],
    ['[::]:65535', '::', 65535],
  ])('--openai %s → host %s port %i', (address, host, port) => {
    expect(serve(['--model', 'm', '--openai', address])).toMatchObject({ host, port });
    expect(parseAddress(address)).toEqual({ host, port });
  });

  it.each(['127.0.0.1', '127.0.0.1:65536', ':8080', '::1:8080', 'host:port', 'a:-1', '[::1]', ''])(
    '--openai %j is a UsageError',
    (address) => {
      expect(() => serve(['--model', 'm', `--openai=${address}`])).toThrow(UsageError);
    },
  );

  it.each([
    ['--threads', '0'],
    ['--threads', '-1'],
    ['--threads', '1.5'],
    ['--threads', 'x'],
    ['--parallel', '0'],
    ['--parallel', '-1'],
    ['--parallel', '1.5'],
    ['--parallel', 'x'],
    ['--queue', '-1'],
    ['--queue', '1.5'],
    ['--queue', 'x'],
    ['--ctx-size', '15'],
    ['--ctx-size', 'x'],
    ['--threads', ''],
    ['--threads', '0x10'],
    ['--parallel', '1e1'],
    ['--queue', ' 3 '],
  ])('%s=%s is a UsageError naming the flag', (flag, value) => {
    expect(() => serve(['--model', 'm', `${flag}=${value}`])).toThrow(UsageError);
    expect(() => serve(['--model', 'm', `${flag}=${value}`])).toThrow(flag);
  });

  it('rejects a dash value given as a separate argument', () => {
    expect(() => serve(['--model', 'm', '--threads', '-1'])).toThrow(UsageError);
  });

  it('allows --queue 0 (no waiting) and --ctx-size 16', () => {
    expect(serve(['--model', 'm', '--queue', '0']).queue).toBe(0);
    expect(serve(['--model', 'm', '--ctx-size', '16']).ctxSize).toBe(16);
  });

  it('takes threads from BYOI_THREADS when --threads is absent, and the flag wins', () => {
    expect(serve(['--model', 'm'], { BYOI_THREADS: '6' }).threads).toBe(6);
    expect(serve(['--model', 'm', '--threads', '2'], { BYOI_THREADS: '6' }).threads).toBe(2);
    expect(serve(['--model', 'm', '--threads', '2'], { BYOI_THREADS: 'junk' }).threads).toBe(2);
    expect(serve(['--model', 'm'], { BYOI_THREADS: '' }).threads).toBeUndefined();
    expect(() => serve(['--model', 'm'], { BYOI_THREADS: '0' })).toThrow(/BYOI_THREADS/);
  });

  it('takes the API key from BYOI_API_KEY, and the flag wins', () => {
    expect(serve(['--model', 'm'], { BYOI_API_KEY: 'env-key' }).apiKey).toBe('env-key');
    expect(
      serve(['--model', 'm', '--api-key', 'flag-key'], { BYOI_API_KEY: 'env-key' }).apiKey,
    ).toBe('flag-key');
    expect(serve(['--model', 'm'], { BYOI_API_KEY: '' }).apiKey).toBeUndefined();
  });

  it('uses process.env when no environment is passed', () => {
    const saved = process.env.BYOI_API_KEY;
    process.env.BYOI_API_KEY = 'from-process';
    try {
      const command = parseCommand(['--model', 'm']);
      expect(command.kind === 'serve' && command.config.apiKey).toBe('from-process');
    } finally {
      if (saved === undefined) delete process.env.BYOI_API_KEY;
      else process.env.BYOI_API_KEY = saved;
    }
  });

  it.each(['debug', 'info', 'warn', 'error'] as const)('accepts --log-level %s', (level) => {
    expect(serve(['--model', 'm', '--log-level', level]).logLevel).toBe(level);
  });

  it.each([
    [['--model', 'm', '--log-level', 'verbose'], /--log-level/],
    [['--model', 'm', '--bogus'], /bogus/],
    [['--model', 'm', 'stray'], /stray/],
    [['--model'], /model/],
    [['--model', 'm', '--cpu=yes'], /cpu/],
  ])('%j is a UsageError', (argv, message) => {
    expect(() => parseCommand(argv, {})).toThrow(UsageError);
    expect(() => parseCommand(argv, {})).toThrow(message);
  });

  it.each([[[]], [['serve']], [['--cpu']]])(
    '%j serves with no model yet: the dashboard chooses one',
    (argv) => {
      expect(serve(argv).models).toEqual([]);
    },
  );
});

describe('parseCommand: data folder, gateway and prices', () => {
  it('takes the data folder from --data-dir, then BYOI_DATA_DIR, made absolute', () => {
    expect(serve(['--model', 'm'], { BYOI_DATA_DIR: '/env/dir' }).dataDir).toBe(
      resolve('/env/dir'),
    );
    expect(
      serve(['--model', 'm', '--data-dir', 'rel/dir'], { BYOI_DATA_DIR: '/env/dir' }).dataDir,
    ).toBe(resolve('rel/dir'));
    expect(serve(['--model', 'm'], { BYOI_DATA_DIR: '' }).dataDir).toBe(DEFAULT_DATA_DIR);
  });

  it('refuses a plain http:// gateway on another machine unless --insecure', () => {
    const lan = 'http://192.168.1.20:8787';
    expect(() => serve(['--model', 'm', '--gateway', lan])).toThrow(/--gateway: .*--insecure/);
    expect(() => parseCommand(['enroll', '--gateway', lan, '--code', 'c'], {})).toThrow(UsageError);
    expect(serve(['--model', 'm', '--gateway', lan, '--insecure'])).toMatchObject({
      gatewayURL: lan,
      insecure: true,
    });
    const enroll = parseCommand(['enroll', '--gateway', lan, '--code', 'c', '--insecure'], {});
    expect(enroll).toMatchObject({ kind: 'enroll', config: { insecure: true } });
    for (const url of [
      'http://127.0.0.1:8787',
      'http://localhost:1',
      'http://[::1]:2',
      'https://gw.example',
    ]) {
      expect(serve(['--model', 'm', '--gateway', url]).insecure).toBe(false);
    }
  });

  it('takes several instances of one gateway, comma-separated, each checked', () => {
    const urls = 'http://127.0.0.1:1,https://gw.example';
    expect(serve(['--model', 'm', '--gateway', urls]).gatewayURL).toBe(urls);
    expect(() => serve(['--model', 'm', '--gateway', 'https://gw.example,gw2'])).toThrow(
      /--gateway must be an http/,
    );
    expect(() =>
      serve(['--model', 'm', '--gateway', 'https://gw.example,http://192.168.1.9:1']),
    ).toThrow(/--gateway: .*--insecure/);
  });

  it('turns the link off with --no-link, and refuses it together with --gateway', () => {
    expect(serve(['--model', 'm', '--no-link']).link).toBe(false);
    expect(() => serve(['--model', 'm', '--no-link', '--gateway', 'http://g'])).toThrow(
      /--no-link and --gateway/,
    );
  });

  it.each(['ws://gw.example', 'gw.example', 'ftp://gw.example', ''])(
    '--gateway %j is a UsageError',
    (url) => {
      expect(() => serve(['--model', 'm', `--gateway=${url}`])).toThrow(UsageError);
      expect(() => serve(['--model', 'm', `--gateway=${url}`])).toThrow(/--gateway/);
    },
  );

  it.each([
    ['--price-prompt', '-1'],
    ['--price-prompt', '1e4'],
    ['--price-prompt', '0x10'],
    ['--price-prompt', '1000.5'],
    ['--price-completion', 'free'],
    ['--price-completion', '1.2.3'],
    ['--price-completion', ''],
  ])('%s=%s is a UsageError naming the flag', (flag, value) => {
    expect(() => serve(['--model', 'm', `${flag}=${value}`])).toThrow(UsageError);
    expect(() => serve(['--model', 'm', `${flag}=${value}`])).toThrow(flag);
  });

  it.each([
    ['0.10', 0.1],
    ['.5', 0.5],
    ['1e-7', 1e-7],
    ['2.', 2],
  ])('accepts the price %s', (text, value) => {
    expect(serve(['--model', 'm', '--price-prompt', text]).price.prompt).toBe(value);
  });

  it('accepts prices from 0 to 1000', () => {
    expect(
      serve(['--model', 'm', '--price-prompt', '1000', '--price-completion', '0.000001']).price,
    ).toEqual({
      prompt: 1000,
      completion: 0.000001,
    });
  });

  it('refuses the options of enroll', () => {
    expect(() => serve(['--model', 'm', '--code', 'c'])).toThrow(/--code is an option of enroll/);
  });
});

describe('parseCommand: enroll', () => {
  const enrollConfig = (argv: string[], env: NodeJS.ProcessEnv = {}): EnrollConfig => {
    const command = parseCommand(['enroll', ...argv], env);
    if (command.kind !== 'enroll') throw new Error(`expected enroll, got ${command.kind}`);
    return command.config;
  };

  it('reads --gateway, --code, --name, --data-dir and --json', () => {
    // prettier-ignore
    expect(enrollConfig([
      '--gateway', 'http://127.0.0.1:8080', '--code', 'byoi-enroll-x', '--name', 'rig', '--data-dir', '/d', '--json',
    ])).toEqual({
      gatewayURL: 'http://127.0.0.1:8080',
      insecure: false,
      code: 'byoi-enroll-x',
      name: 'rig',
      dataDir: resolve('/d'),
      json: true,
    });
  });

  it('defaults the name and the data folder', () => {
    expect(
      enrollConfig(['--gateway', 'https://g', '--code', 'c'], { BYOI_DATA_DIR: '/e' }),
    ).toEqual({
      gatewayURL: 'https://g',
      insecure: false,
      code: 'c',
      name: undefined,
      dataDir: resolve('/e'),
      json: false,
    });
  });

  it.each([
    [['--code', 'c'], /--gateway/],
    [['--gateway', 'https://g'], /--code/],
    [['--gateway', 'https://g', '--code', ''], /--code/],
    [['--gateway', 'nope', '--code', 'c'], /--gateway must be an http/],
    [['--gateway', 'https://g', '--code', 'c', '--model', 'm'], /--model is an option of serve/],
    [['--gateway', 'https://g', '--code', 'c', 'stray'], /stray/],
  ])('%j is a UsageError', (argv, message) => {
    expect(() => parseCommand(['enroll', ...argv], {})).toThrow(UsageError);
    expect(() => parseCommand(['enroll', ...argv], {})).toThrow(message);
  });
});

describe('parseCommand: other commands', () => {
  it.each([
    [['--help'], 'help'],
    [['-h'], 'help'],
    [['serve', '--help'], 'help'],
    [['detect', '-h'], 'help'],
    [['enroll', '--help'], 'help'],
    [['--version'], 'version'],
    [['-v'], 'version'],
    [['serve', '-v'], 'version'],
  ])('%j → %s without needing --model', (argv, kind) => {
    expect(parseCommand(argv, {})).toEqual({ kind });
  });

  it('parses detect with and without --json', () => {
    expect(parseCommand(['detect'], {})).toEqual({ kind: 'detect', json: false });
    expect(parseCommand(['detect', '--json'], {})).toEqual({ kind: 'detect', json: true });
  });

  it('rejects unknown flags for detect too', () => {
    expect(() => parseCommand(['detect', '--nope'], {})).toThrow(UsageError);
  });
});

describe('SERVE_HELP', () => {
  const documented = [
    '--model',
    '--openai',
    '--api-key',
    '--threads',
    '--parallel',
    '--queue',
  ].concat(
    ['--ctx-size', '--cpu', '--json', '--log-level', '--help', '--version'],
    [
      '--gateway',
      '--insecure',
      '--control',
      '--mode',
      '--no-link',
      '--price-prompt',
      '--price-completion',
      '--data-dir',
      '--code',
      '--name',
      '--sha256',
      '--template',
    ],
  );

  it.each(documented)('documents %s', (flag) => {
    expect(SERVE_HELP).toMatch(new RegExp(`^\\s+(-\\w, )?${flag}\\b`, 'm'));
  });

  it('documents the short flags and both commands', () => {
    expect(SERVE_HELP).toContain('-h, --help');
    expect(SERVE_HELP).toContain('-v, --version');
    expect(SERVE_HELP).toMatch(/^\s+serve\s/m);
    expect(SERVE_HELP).toMatch(/^\s+detect\s/m);
    expect(SERVE_HELP).toMatch(/^\s+enroll\s/m);
  });

  it('names only flags the parser accepts, and names them all', () => {
    const inHelp = [...new Set(SERVE_HELP.match(/--[a-z][a-z0-9-]*/g))].sort();
    expect(inHelp).toEqual([...documented].sort());
    for (const flag of inHelp) {
      const accepts = (argv: string[]) => {
        try {
          parseCommand(argv, {});
          return true;
        } catch (error) {
          return !/unknown option/i.test(String(error));
        }
      };
      const anyCommand = ['detect', 'models pull x'].some(
        (command) =>
          accepts([...command.split(' '), flag]) || accepts([...command.split(' '), `${flag}=1`]),
      );
      expect(anyCommand, flag).toBe(true);
    }
    expect(() => parseCommand(['detect', '--not-a-flag'], {})).toThrow(/unknown option/i);
  });

  it('states the defaults the parser uses', () => {
    expect(SERVE_HELP).toContain(`default ${DEFAULT_OPENAI_ADDRESS}`);
    expect(SERVE_HELP).toMatch(/--parallel N[^\n]*default 2\)/);
    expect(SERVE_HELP).toMatch(/--queue N[\s\S]*?\(default 16\)/);
    expect(SERVE_HELP).toContain(`default ${DEFAULT_CONTROL_ADDRESS}`);
    expect(SERVE_HELP).toMatch(/--price-prompt USD[\s\S]*?starts at 0\.1\)/);
    expect(SERVE_HELP).toMatch(/--price-completion USD[\s\S]*?starts at 0\.2\)/);
    expect(SERVE_HELP).toMatch(/--data-dir DIR[\s\S]*?BYOI_DATA_DIR[\s\S]*?default ~\/\.byoi-node/);
  });
});

describe('defaultThreads', () => {
  it.each([
    [8, 8],
    [1, 1],
    [0, 1],
    [-4, 1],
  ])('physical cores %i → %i threads', (cores, threads) => {
    expect(defaultThreads(cores)).toBe(threads);
  });

  it('falls back to the available parallelism when the core count is unknown', () => {
    expect(defaultThreads(undefined)).toBe(Math.max(1, availableParallelism()));
  });
});

describe('models write-test-model', () => {
  it('takes a chat template, ChatML by default, and refuses others', () => {
    const config = (argv: string[]) => {
      const command = parseCommand(['models', 'write-test-model', ...argv], {});
      return command.kind === 'models' ? command.config : null;
    };
    expect(config([])).toMatchObject({ action: 'write-test-model', template: 'chatml' });
    expect(config(['--template', 'tools'])).toMatchObject({ template: 'tools' });
    expect(() => config(['--template', 'llama3'])).toThrow(/--template must be chatml or tools/);
    expect(() => parseCommand(['models', 'pull', 'x', '--template', 'tools'], {})).toThrow(
      /--template is an option of write-test-model/,
    );
  });
});
