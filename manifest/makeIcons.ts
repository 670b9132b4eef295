/**
 * Draws the two Teams app icons and writes them as PNG with nothing but node's zlib:
 *   manifest/color.png    192x192, white shield with a check mark on the accent colour
 *   manifest/outline.png   32x32, white shield outline and check on a transparent background
 *
 * Run after changing the drawing: `npx tsx manifest/makeIcons.ts`. The PNGs are committed,
 * so packaging never needs to run this.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { deflateSync } from "node:zlib";

/** Same as the manifest's accentColor (#1F5C99). */
export const ACCENT: Rgb = [0x1f, 0x5c, 0x99];

type Rgb = [number, number, number];
type Rgba = [number, number, number, number];

// ---------------------------------------------------------------- PNG encoding

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/** Encodes 8-bit RGBA pixels (row-major, 4 bytes each) as a PNG. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type: truecolour with alpha
  ihdr[10] = 0; // compression: deflate
  ihdr[11] = 0; // filter method 0
  ihdr[12] = 0; // no interlace
  // Each scanline starts with its filter type; 0 (None) keeps the encoder trivial.
  const raw = Buffer.alloc(height * (1 + width * 4));
  for (let y = 0; y < height; y++) {
    raw[y * (1 + width * 4)] = 0;
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (1 + width * 4) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

// ---------------------------------------------------------------- drawing

/**
 * Shapes live in a unit square centred on 0,0 (x and y in -1..1, y down).
 * Each pixel is sampled 4x4 times so edges are anti-aliased.
 */
type Painter = (x: number, y: number) => Rgba;

function render(size: number, paint: Painter): Uint8Array {
  const out = new Uint8Array(size * size * 4);
  const samples = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = ((px + (sx + 0.5) / samples) / size) * 2 - 1;
          const y = ((py + (sy + 0.5) / samples) / size) * 2 - 1;
          const [cr, cg, cb, ca] = paint(x, y);
          // Premultiply while averaging so transparent samples do not darken edges.
          r += cr * ca; g += cg * ca; b += cb * ca; a += ca;
        }
      }
      const i = (py * size + px) * 4;
      const n = samples * samples;
      out[i + 3] = Math.round((a / n) * 255);
      if (a > 0) {
        out[i] = Math.round(r / a);
        out[i + 1] = Math.round(g / a);
        out[i + 2] = Math.round(b / a);
      }
    }
  }
  return out;
}

/** A heraldic shield: flat top, straight sides, sides curving to a point at the bottom. */
function inShield(x: number, y: number, scale: number, inset = 0): boolean {
  const top = -0.86 * scale, shoulder = 0.05 * scale, bottom = 0.95 * scale, half = 0.78 * scale;
  if (y < top + inset || y > bottom) return false;
  let width: number;
  if (y <= shoulder) width = half;
  else {
    const t = (y - shoulder) / (bottom - shoulder);
    width = half * (1 - Math.pow(t, 1.7));
  }
  return Math.abs(x) <= width - inset;
}

function distanceToSegment(x: number, y: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - (ax + t * dx), y - (ay + t * dy));
}

function inCheck(x: number, y: number, scale: number, thickness: number): boolean {
  const p1: [number, number] = [-0.36 * scale, 0.02 * scale];
  const p2: [number, number] = [-0.1 * scale, 0.3 * scale];
  const p3: [number, number] = [0.38 * scale, -0.3 * scale];
  return (
    distanceToSegment(x, y, p1[0], p1[1], p2[0], p2[1]) <= thickness ||
    distanceToSegment(x, y, p2[0], p2[1], p3[0], p3[1]) <= thickness
  );
}

const WHITE: Rgba = [255, 255, 255, 1];
const CLEAR: Rgba = [0, 0, 0, 0];

/** 192x192: accent background, white shield (about 60% of the tile, inside Teams' safe area), check in accent colour. */
export function colorIcon(): Buffer {
  const size = 192;
  const accent: Rgba = [...ACCENT, 1];
  const scale = 0.62;
  return encodePng(size, size, render(size, (x, y) => {
    if (inCheck(x, y, scale, 0.075)) return accent;
    if (inShield(x, y, scale)) return WHITE;
    return accent;
  }));
}

/** 32x32: white only on transparent, as Teams requires for the outline icon. */
export function outlineIcon(): Buffer {
  const size = 32;
  const scale = 0.94;
  const stroke = 0.13; // about 2 px at 32 px
  return encodePng(size, size, render(size, (x, y) => {
    if (inShield(x, y, scale) && !inShield(x, y, scale, stroke)) return WHITE;
    if (inCheck(x, y, scale * 0.95, 0.075)) return WHITE;
    return CLEAR;
  }));
}

if (require.main === module) {
  const dir = __dirname;
  writeFileSync(join(dir, "color.png"), colorIcon());
  writeFileSync(join(dir, "outline.png"), outlineIcon());
  console.log(`Wrote ${join(dir, "color.png")} (192x192) and ${join(dir, "outline.png")} (32x32)`);
}
