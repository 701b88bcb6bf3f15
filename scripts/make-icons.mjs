// Draws the app icon and the tray icons with no dependencies and no network:
//   node scripts/make-icons.mjs
// Writes build/icon.png (1024²), build/icon.ico (PNG entries 16–256), build/icon.icns (PNG
// entries 16–1024), and resources/tray-<state>[Template][@2x].png for every tray state.
// The outputs are committed; run this again after changing a shape or a colour.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { render } from './png.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

// Signed distances in unit coordinates (negative inside).
const circle = (x, y, cx, cy, r) => Math.hypot(x - cx, y - cy) - r;
const ring = (x, y, cx, cy, r, width) => Math.abs(Math.hypot(x - cx, y - cy) - r) - width / 2;
const roundedSquare = (x, y, half, radius) => {
  const qx = Math.abs(x - 0.5) - half + radius;
  const qy = Math.abs(y - 0.5) - half + radius;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
};
const segment = (x, y, ax, ay, bx, by, width) => {
  const [dx, dy] = [bx - ax, by - ay];
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - ax - t * dx, y - ay - t * dy) - width / 2;
};
const insideTriangle = (x, y, [a, b, c]) => {
  const side = (p, q) => (q[0] - p[0]) * (y - p[1]) - (q[1] - p[1]) * (x - p[0]);
  const [s1, s2, s3] = [side(a, b), side(b, c), side(c, a)];
  return (s1 >= 0 && s2 >= 0 && s3 >= 0) || (s1 <= 0 && s2 <= 0 && s3 <= 0);
};
const hex = (value) => [1, 3, 5].map((i) => parseInt(value.slice(i, i + 2), 16));

// App icon: an indigo tile with a node linked to three peers.
const peers = [-90, 30, 150].map((deg) => {
  const rad = (deg * Math.PI) / 180;
  return [0.5 + 0.25 * Math.cos(rad), 0.52 + 0.25 * Math.sin(rad)];
});
function appIcon(x, y) {
  if (roundedSquare(x, y, 0.45, 0.1) > 0) return null;
  const t = y; // vertical gradient, indigo-700 to violet-700
  const base = [67 + (109 - 67) * t, 56 + (40 - 56) * t, 202 + (217 - 202) * t];
  if (circle(x, y, 0.5, 0.52, 0.11) <= 0) return [255, 255, 255, 1];
  if (peers.some(([px, py]) => circle(x, y, px, py, 0.065) <= 0)) return [199, 210, 254, 1];
  if (peers.some(([px, py]) => segment(x, y, 0.5, 0.52, px, py, 0.035) <= 0))
    return [165, 180, 252, 1];
  return [...base, 1];
}

// Tray glyphs: each state differs by shape as well as colour, so it reads in monochrome.
const triangle = [
  [0.5, 0.08],
  [0.95, 0.9],
  [0.05, 0.9],
];
const glyphs = {
  serving: { colour: '#22c55e', inside: (x, y) => circle(x, y, 0.5, 0.5, 0.4) <= 0 },
  waiting: { colour: '#f59e0b', inside: (x, y) => ring(x, y, 0.5, 0.5, 0.33, 0.16) <= 0 },
  paused: {
    colour: '#94a3b8',
    // Two bars on whole pixels at 16 and 32 px, so they stay crisp.
    inside: (x, y) =>
      Math.abs(y - 0.5) <= 0.375 && Math.abs(Math.abs(x - 0.5) - 0.15625) <= 0.09375,
  },
  offline: {
    colour: '#6b7280',
    inside: (x, y) =>
      ring(x, y, 0.5, 0.5, 0.35, 0.13) <= 0 || segment(x, y, 0.27, 0.73, 0.73, 0.27, 0.13) <= 0,
  },
  error: {
    colour: '#ef4444',
    // A triangle with the exclamation mark cut out (transparent in the template variant).
    inside: (x, y) =>
      insideTriangle(x, y, triangle) &&
      segment(x, y, 0.5, 0.36, 0.5, 0.6, 0.12) > 0 &&
      circle(x, y, 0.5, 0.76, 0.065) > 0,
  },
};

/** The tray states main/electron uses as resources/tray-<state>.png. */
export const TRAY_STATES = Object.keys(glyphs);

function write(relative, bytes) {
  const file = join(root, relative);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, bytes);
  console.log(`${relative}: ${bytes.length} bytes`);
}

/** ICO with PNG-compressed entries (Windows Vista and later). */
function ico(images) {
  const header = Buffer.alloc(6 + 16 * images.length);
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach(({ size, png }, i) => {
    const entry = 6 + 16 * i;
    header[entry] = size >= 256 ? 0 : size; // 0 means 256
    header[entry + 1] = size >= 256 ? 0 : size;
    header.writeUInt16LE(1, entry + 4); // colour planes
    header.writeUInt16LE(32, entry + 6); // bits per pixel
    header.writeUInt32LE(png.length, entry + 8);
    header.writeUInt32LE(offset, entry + 12);
    offset += png.length;
  });
  return Buffer.concat([header, ...images.map(({ png }) => png)]);
}

/** ICNS with PNG entries: each OSType names a pixel size (ic11–ic14 are the @2x ones). */
function icns(entries) {
  const parts = entries.map(([type, png]) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(png.length + 8, 4);
    return Buffer.concat([head, png]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(8 + parts.reduce((sum, part) => sum + part.length, 0), 4);
  return Buffer.concat([head, ...parts]);
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const app = new Map();
  const appPng = (size) => {
    if (!app.has(size)) app.set(size, render(size, appIcon, size >= 512 ? 2 : 4));
    return app.get(size);
  };
  write('build/icon.png', appPng(1024));
  write(
    'build/icon.ico',
    ico([16, 24, 32, 48, 64, 128, 256].map((size) => ({ size, png: appPng(size) }))),
  );
  const icnsTypes = [
    ['icp4', 16],
    ['icp5', 32],
    ['icp6', 64],
    ['ic07', 128],
    ['ic08', 256],
    ['ic09', 512],
    ['ic10', 1024],
    ['ic11', 32],
    ['ic12', 64],
    ['ic13', 256],
    ['ic14', 512],
  ];
  write('build/icon.icns', icns(icnsTypes.map(([type, size]) => [type, appPng(size)])));

  for (const [state, { colour, inside }] of Object.entries(glyphs)) {
    const [r, g, b] = hex(colour);
    const coloured = (x, y) => (inside(x, y) ? [r, g, b, 1] : null);
    const template = (x, y) => (inside(x, y) ? [0, 0, 0, 1] : null);
    write(`resources/tray-${state}.png`, render(16, coloured, 8));
    write(`resources/tray-${state}@2x.png`, render(32, coloured, 8));
    write(`resources/tray-${state}Template.png`, render(16, template, 8));
    write(`resources/tray-${state}Template@2x.png`, render(32, template, 8));
  }
}
