/**
 * The committed icons (made by scripts/make-icons.mjs): the app icon in every format the
 * installers take, and a tray icon per state that main/electron loads as
 * resources/tray-<state>.png (with @2x and macOS Template variants).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const TRAY_STATES = ['serving', 'waiting', 'paused', 'offline', 'error'];
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

interface Image {
  width: number;
  height: number;
  /** RGBA, row after row. */
  pixels: Buffer;
}

/** Decodes an 8-bit RGBA, non-interlaced PNG (what the icon script writes). */
function decodePng(bytes: Buffer): Image {
  expect(bytes.subarray(0, 8).equals(PNG_SIGNATURE), 'PNG signature').toBe(true);
  let offset = 8;
  let header: Buffer | undefined;
  const data: Buffer[] = [];
  while (offset < bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('ascii', offset + 4, offset + 8);
    const body = bytes.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') header = body;
    if (type === 'IDAT') data.push(body);
    offset += 12 + length;
  }
  if (!header) throw new Error('no IHDR');
  const width = header.readUInt32BE(0);
  const height = header.readUInt32BE(4);
  expect([...header.subarray(8, 13)], 'bit depth 8, RGBA, no interlace').toEqual([8, 6, 0, 0, 0]);
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * 4;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const row = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const left = x >= 4 ? pixels[y * stride + x - 4]! : 0;
      const up = y > 0 ? pixels[(y - 1) * stride + x]! : 0;
      const upLeft = x >= 4 && y > 0 ? pixels[(y - 1) * stride + x - 4]! : 0;
      const paeth = (): number => {
        const p = left + up - upLeft;
        const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
        return pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      };
      const predictor = [0, left, up, (left + up) >> 1, filter === 4 ? paeth() : 0][filter!] ?? 0;
      pixels[y * stride + x] = (row[x]! + predictor) & 0xff;
    }
  }
  return { width, height, pixels };
}

const read = (path: string): Buffer => readFileSync(join(root, path));
const alphaMask = (image: Image): string =>
  [...image.pixels.filter((_, i) => i % 4 === 3)].map((a) => (a > 127 ? 1 : 0)).join('');

describe('app icon', () => {
  it('is a 1024×1024 PNG for Linux and the build', () => {
    const { width, height } = decodePng(read('build/icon.png'));
    expect([width, height]).toEqual([1024, 1024]);
  });

  it('has an .ico with PNG entries from 16 to 256 px for Windows', () => {
    const ico = read('build/icon.ico');
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2)]).toEqual([0, 1]);
    const sizes: number[] = [];
    for (let i = 0; i < ico.readUInt16LE(4); i++) {
      const entry = 6 + 16 * i;
      const size = ico[entry] || 256;
      const png = ico.subarray(
        ico.readUInt32LE(entry + 12),
        ico.readUInt32LE(entry + 12) + ico.readUInt32LE(entry + 8),
      );
      const image = decodePng(png);
      expect([image.width, image.height]).toEqual([size, size]);
      sizes.push(size);
    }
    expect(sizes).toEqual(expect.arrayContaining([16, 32, 48, 256]));
  });

  it('has an .icns with PNG entries up to 1024 px for macOS', () => {
    const icns = read('build/icon.icns');
    expect(icns.toString('ascii', 0, 4)).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const sizes = new Map<string, number>();
    for (let offset = 8; offset < icns.length;) {
      const type = icns.toString('ascii', offset, offset + 4);
      const length = icns.readUInt32BE(offset + 4);
      sizes.set(type, decodePng(icns.subarray(offset + 8, offset + length)).width);
      offset += length;
    }
    expect(Object.fromEntries(sizes)).toMatchObject({
      ic07: 128,
      ic08: 256,
      ic09: 512,
      ic10: 1024,
    });
  });

  it('is referenced by electron-builder.yml, like every other build/ file there', () => {
    const config = readFileSync(join(root, 'electron-builder.yml'), 'utf8');
    const references = [...config.matchAll(/\bbuild\/[\w.-]+/g)].map(([path]) => path);
    expect(references).toEqual(
      expect.arrayContaining(['build/icon.ico', 'build/icon.icns', 'build/icon.png']),
    );
    for (const path of references) expect(existsSync(join(root, path)), path).toBe(true);
  });

  it('signs macOS builds with Electron JIT as the only hardened-runtime exception', () => {
    const plist = readFileSync(join(root, 'build/entitlements.mac.plist'), 'utf8');
    const keys = [...plist.matchAll(/<key>([^<]+)<\/key>/g)].map(([, key]) => key);
    expect(keys).toEqual(['com.apple.security.cs.allow-jit']);
  });
});

describe('tray icons', () => {
  const load = (state: string, variant: string): Image =>
    decodePng(read(`resources/tray-${state}${variant}.png`));

  it('exist for every state at 16 px and 32 px (@2x), in colour and as macOS templates', () => {
    for (const state of TRAY_STATES)
      for (const [variant, size] of [
        ['', 16],
        ['@2x', 32],
        ['Template', 16],
        ['Template@2x', 32],
      ] as const) {
        const image = load(state, variant);
        expect([image.width, image.height], `tray-${state}${variant}`).toEqual([size, size]);
        expect(alphaMask(image), `tray-${state}${variant} is not blank`).toContain('1');
      }
  });

  it('differ by shape, so each state reads in monochrome too', () => {
    for (const variant of ['', '@2x']) {
      const masks = TRAY_STATES.map((state) => alphaMask(load(state, variant)));
      expect(new Set(masks).size).toBe(TRAY_STATES.length);
    }
  });

  it('differ by colour in the colour variants', () => {
    const colourOf = (image: Image): string => {
      const at = image.pixels.findIndex((_, i) => i % 4 === 3 && image.pixels[i] === 255);
      return image.pixels.subarray(at - 3, at).toString('hex');
    };
    const colours = TRAY_STATES.map((state) => colourOf(load(state, '@2x')));
    expect(new Set(colours).size).toBe(TRAY_STATES.length);
  });

  it('are black with alpha in the Template variants, as macOS requires', () => {
    for (const state of TRAY_STATES) {
      const { pixels } = load(state, 'Template@2x');
      const coloured = [...Array(pixels.length / 4).keys()].filter(
        (i) =>
          pixels[i * 4 + 3]! > 0 &&
          (pixels[i * 4]! | pixels[i * 4 + 1]! | pixels[i * 4 + 2]!) !== 0,
      );
      expect(coloured, `tray-${state}Template@2x`).toEqual([]);
    }
  });
});
