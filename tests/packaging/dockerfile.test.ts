/**
 * The Dockerfile cannot be built here (no Docker engine; shared/DESIGN.md), so this checks it
 * structurally, then replays its build stage on a copy of the build context that
 * .dockerignore lets through: `electron-vite build` there must produce a runnable byoi-node.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { Script } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  from: string;
  name: string;
  instructions: Instruction[];
}

/** Instructions (continuations joined, comments dropped) grouped into stages. */
function parseDockerfile(text: string): { args: Map<string, string>; stages: Stage[] } {
  const joined = text.replace(/\\\r?\n/g, ' ');
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const raw of joined.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [, keyword = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args: rest.trim() };
    if (instruction.keyword === 'FROM') {
      const [, from = '', name = ''] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args) ?? [];
      stages.push({ from, name, instructions: [] });
    } else if (stages.length === 0 && instruction.keyword === 'ARG') {
      const [name = '', value = ''] = instruction.args.split('=');
      args.set(name, value);
    } else stages.at(-1)?.instructions.push(instruction);
  }
  return { args, stages };
}

const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const { args, stages } = parseDockerfile(dockerfile);
const stage = (name: string): Stage => {
  const found = stages.find((s) => s.name === name);
  if (!found) throw new Error(`no stage '${name}'`);
  return found;
};
const all = (s: Stage, keyword: string): string[] =>
  s.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
const expand = (image: string): string =>
  image.replace(/\$\{(\w+)\}/g, (_, name: string) => args.get(name) ?? `<unset ${name}>`);

describe('Dockerfile (structure; not built here: no Docker engine)', () => {
  it('has the build, deps and runtime stages, with the CPU runtime as the default target', () => {
    const names = stages.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['build', 'deps', 'cpu', 'cuda']));
    expect(names.at(-1)).toBe('cpu');
    expect(all(stage('build'), 'RUN').join('\n')).toMatch(/npm ci\b[^\n]*--ignore-scripts/);
    expect(all(stage('build'), 'RUN').join('\n')).toMatch(/npm run build/);
    expect(all(stage('deps'), 'RUN').join('\n')).toMatch(/npm ci\b[^\n]*--omit=dev/);
  });

  it('pins every base image to a tag that is not latest', () => {
    const earlier = new Set<string>();
    for (const s of stages) {
      if (!earlier.has(s.from)) {
        const image = expand(s.from);
        expect(image, `FROM ${s.from}`).toMatch(/^[\w./-]+:[\w.-]+$/);
        expect(image, `FROM ${s.from}`).not.toMatch(/:latest$/);
      }
      if (s.name) earlier.add(s.name);
    }
    expect(expand(stage('cuda').from)).toMatch(/^nvidia\/cuda:\d+\.\d+\.\d+-runtime-ubuntu/);
  });

  it('copies only from stages defined before', () => {
    stages.forEach((s, index) => {
      const before = new Set(stages.slice(0, index).map((other) => other.name));
      for (const copy of all(s, 'COPY')) {
        const from = /--from=(\S+)/.exec(copy)?.[1];
        if (from) expect(before.has(from), `${s.name}: COPY ${copy}`).toBe(true);
      }
    });
  });

  for (const name of ['cpu', 'cuda'])
    it(`runs the ${name} image as byoi-node, non-root, with its data in the /data volume`, () => {
      const s = stage(name);
      const users = all(s, 'USER');
      expect(users.length).toBeGreaterThan(0);
      expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
      const lastUser = s.instructions.findLastIndex((i) => i.keyword === 'USER');
      const lastRun = s.instructions.findLastIndex((i) => i.keyword === 'RUN');
      expect(lastUser, 'USER comes after the last RUN').toBeGreaterThan(lastRun);

      expect(JSON.parse(all(s, 'ENTRYPOINT').at(-1) ?? '[]')).toEqual(['byoi-node']);
      expect(all(s, 'RUN').join('\n')).toMatch(/ln -s \/app\/bin\/byoi-node\.js \S*\/byoi-node\b/);
      expect(all(s, 'VOLUME')).toContain('/data');
      expect(all(s, 'ENV').join(' ')).toMatch(/\bBYOI_DATA_DIR=\/data\b/);
      expect(all(s, 'EXPOSE'), 'no port is published by default').toEqual([]);

      const copies = all(s, 'COPY').join('\n');
      for (const path of ['/app/node_modules', '/src/out', '/src/bin', '/src/package.json'])
        expect(copies).toContain(path);
    });

  it('health-checks the OpenAI endpoint with a script that parses', () => {
    for (const name of ['cpu', 'cuda']) {
      const check = all(stage(name), 'HEALTHCHECK').at(-1) ?? '';
      const exec = JSON.parse(check.slice(check.indexOf('CMD') + 3).trim()) as string[];
      expect(exec.slice(0, 2)).toEqual(['node', '-e']);
      expect(exec[2]).toContain('/v1/models');
      expect(() => new Script(exec[2]!)).not.toThrow();
    }
  });
});

/** Docker's .dockerignore matching, enough for our patterns (`*`, `**`, `?`, no `!`). */
function dockerIgnored(patterns: string[]): (path: string) => boolean {
  const regexes = patterns.map((pattern) => {
    const source = pattern
      .replace(/^\/+|\/+$/g, '')
      .split('/')
      .map((part) =>
        part === '**'
          ? '.*'
          : part
              .replace(/[.+^${}()|[\]\\]/g, '\\$&')
              .replace(/\*/g, '[^/]*')
              .replace(/\?/g, '[^/]'),
      )
      .join('/')
      .replace(/\.\*\//g, '(?:.*/)?');
    return new RegExp(`^${source}(?:/.*)?$`);
  });
  return (path) => regexes.some((regex) => regex.test(path));
}

describe('.dockerignore and the build stage', () => {
  const patterns = readFileSync(join(root, '.dockerignore'), 'utf8')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const ignored = dockerIgnored(patterns);
  let context = '';
  afterAll(() => {
    if (context) rmSync(context, { recursive: true, force: true });
  });

  it('keeps local installs, outputs and models out, and the lockfile in', () => {
    for (const path of ['node_modules', 'out', 'dist', '.git', 'tests/x.test.ts', 'a/b.gguf'])
      expect(ignored(path), path).toBe(true);
    for (const path of [
      'package.json',
      'package-lock.json',
      'bin/byoi-node.js',
      'main/engine/cli.ts',
    ])
      expect(ignored(path), path).toBe(false);
  });

  it('builds a runnable byoi-node from only what .dockerignore lets through', async () => {
    context = mkdtempSync(join(tmpdir(), 'byoi-docker-context-'));
    cpSync(root, context, {
      recursive: true,
      filter: (source) => {
        const path = relative(root, source).split(sep).join('/');
        return path === '' || !ignored(path);
      },
    });
    expect(existsSync(join(context, 'tests'))).toBe(false);
    // Stands in for `npm ci`: the same installed packages.
    symlinkSync(join(root, 'node_modules'), join(context, 'node_modules'), 'dir');
    const electronVite = join(root, 'node_modules/electron-vite/bin/electron-vite.js');
    await run(process.execPath, [electronVite, 'build'], {
      cwd: context,
      env: { ...process.env, CI: 'true' },
    });
    for (const file of [
      'out/main/byoi-node.js',
      'out/main/byoi-gateway.js',
      'out/renderer/index.html',
    ])
      expect(existsSync(join(context, file)), file).toBe(true);
    const { stdout } = await run(
      process.execPath,
      [join(context, 'bin/byoi-node.js'), '--version'],
      {
        cwd: context,
      },
    );
    expect(stdout.trim()).toContain(pkg.version);
  }, 120_000);
});
