/**
 * Every visible string lives in renderer/src/i18n/{en,fr}.json (the dashboard) or
 * renderer/src/console/i18n/{en,fr}.json (the gateway console): each pair must hold the
 * same keys, with the same {{placeholders}}, and every literal key the code asks for must
 * exist (dynamic keys are checked by the compiler through i18next's typed resources).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(path, value);
    else for (const [inner, text] of flatten(value, path)) out.set(inner, text);
  }
  return out;
}

const placeholders = (text: string) =>
  [...text.matchAll(/{{\s*(\w+)\s*}}/g)].map((m) => m[1]).sort();

const rendererDir = fileURLToPath(new URL('../../../renderer/src/', import.meta.url));
const consoleDir = join(rendererDir, 'console');
function sourceFiles(dir: string, skip?: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (path === skip) return [];
    if (statSync(path).isDirectory()) return sourceFiles(path, skip);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

const APPS = [
  { app: 'dashboard', dir: rendererDir, skip: consoleDir, least: 100 },
  { app: 'console', dir: consoleDir, skip: undefined, least: 30 },
];

describe.each(APPS)('$app strings', ({ dir, skip, least }) => {
  const readStrings = (language: string) =>
    JSON.parse(readFileSync(join(dir, 'i18n', `${language}.json`), 'utf8')) as Tree;
  const english = flatten(readStrings('en'));
  const french = flatten(readStrings('fr'));
  it('English and French have the same keys', () => {
    const missingInFrench = [...english.keys()].filter((key) => !french.has(key));
    const missingInEnglish = [...french.keys()].filter((key) => !english.has(key));
    expect({ missingInFrench, missingInEnglish }).toEqual({
      missingInFrench: [],
      missingInEnglish: [],
    });
    expect(english.size).toBeGreaterThan(least);
  });

  it('no string is empty, and both languages use the same placeholders', () => {
    const problems: string[] = [];
    for (const [key, text] of english) {
      const other = french.get(key) ?? '';
      if (!text.trim() || !other.trim()) problems.push(`${key}: empty`);
      if (placeholders(text).join() !== placeholders(other).join()) {
        problems.push(`${key}: ${placeholders(text).join()} vs ${placeholders(other).join()}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('every literal key used in its source exists', () => {
    const used = new Set<string>();
    for (const file of sourceFiles(dir, skip)) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/\bt\(\s*'([^'$]+)'/g)) used.add(match[1]!);
    }
    expect(used.size).toBeGreaterThan(least / 2);
    expect([...used].filter((key) => !english.has(key))).toEqual([]);
  });
});
