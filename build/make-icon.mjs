// Writes the placeholder app icon (512x512 RGBA PNG) with no dependencies:
//   node build/make-icon.mjs
import { writeFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';

const size = 512;
const chunk = (type, data) => {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const framed = Buffer.alloc(body.length + 8);
  framed.writeUInt32BE(data.length, 0);
  body.copy(framed, 4);
  framed.writeUInt32BE(crc32(body), body.length + 4);
  return framed;
};

// A rounded indigo tile with a lighter ring: recognisable at tray sizes, obviously a stand-in.
const pixel = (x, y) => {
  const cx = x - size / 2 + 0.5;
  const cy = y - size / 2 + 0.5;
  const corner = Math.max(Math.abs(cx) - 176, 0) ** 2 + Math.max(Math.abs(cy) - 176, 0) ** 2;
  if (corner > 64 ** 2) return [0, 0, 0, 0];
  const r = Math.hypot(cx, cy);
  return r > 120 && r < 168 ? [165, 180, 252, 255] : [67, 56, 202, 255];
};

const rows = [];
for (let y = 0; y < size; y++) {
  const row = Buffer.alloc(1 + size * 4); // filter byte 0 = None
  for (let x = 0; x < size; x++) Buffer.from(pixel(x, y)).copy(row, 1 + x * 4);
  rows.push(row);
}

const header = Buffer.alloc(13);
header.writeUInt32BE(size, 0);
header.writeUInt32BE(size, 4);
header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace

const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
writeFileSync(new URL('./icon.png', import.meta.url), png);
console.log(`build/icon.png: ${png.length} bytes`);
