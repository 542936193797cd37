// Writes the app's PNG icons (192, 512 and a maskable 512) into web/public/icons: a white
// heartbeat line on Lifeline's teal, drawn pixel by pixel so no image tool is needed.
// Run once after changing the design: `npx tsx web/scripts/icons.ts`.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deflateSync } from "node:zlib";

const TEAL = [0x0b, 0x5d, 0x63];
const WHITE = [0xff, 0xff, 0xff];

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** The heartbeat polyline in unit coordinates (0..1), inside the maskable safe zone. */
const LINE: Array<[number, number]> = [
  [0.2, 0.55],
  [0.38, 0.55],
  [0.45, 0.35],
  [0.53, 0.7],
  [0.6, 0.48],
  [0.8, 0.48],
];

function distanceToSegment(
  px: number,
  py: number,
  [ax, ay]: [number, number],
  [bx, by]: [number, number],
) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

function icon(size: number, scale: number): Buffer {
  const raw = Buffer.alloc(size * (size * 3 + 1));
  const half = 0.045 * scale;
  for (let y = 0; y < size; y++) {
    raw[y * (size * 3 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const u = 0.5 + ((x + 0.5) / size - 0.5) / scale;
      const v = 0.5 + ((y + 0.5) / size - 0.5) / scale;
      let d = Number.POSITIVE_INFINITY;
      for (let i = 1; i < LINE.length; i++)
        d = Math.min(d, distanceToSegment(u, v, LINE[i - 1]!, LINE[i]!));
      const a = Math.max(0, Math.min(1, (half / scale - d) * size * scale + 0.5));
      const o = y * (size * 3 + 1) + 1 + x * 3;
      for (let c = 0; c < 3; c++) raw[o + c] = Math.round(TEAL[c]! * (1 - a) + WHITE[c]! * a);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8;
  header[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

const dir = join(import.meta.dirname, "..", "public", "icons");
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, "icon-192.png"), icon(192, 1));
writeFileSync(join(dir, "icon-512.png"), icon(512, 1));
writeFileSync(join(dir, "maskable-512.png"), icon(512, 0.8));
writeFileSync(join(dir, "apple-touch-icon.png"), icon(180, 1));
console.log(`icons written to ${dir}`);
