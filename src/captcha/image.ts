// Draws a captcha: six digits as thick strokes, each turned, sheared, scaled and placed with its
// own jitter and ink, over a speckled background crossed by wavy lines, as a 240×60 PNG.
import { encodeRgbPng } from "./png.ts";

export const CAPTCHA_WIDTH = 240;
export const CAPTCHA_HEIGHT = 60;

type Point = readonly [number, number];
type Stroke = ReadonlyArray<Point>;

/** Points along an ellipse arc in the glyph's unit box (y down), angles in degrees. */
const arc = (cx: number, cy: number, rx: number, ry: number, from: number, to: number, steps = 12): Stroke =>
  Array.from({ length: steps + 1 }, (_, i) => {
    const a = ((from + ((to - from) * i) / steps) * Math.PI) / 180;
    return [cx + rx * Math.cos(a), cy + ry * Math.sin(a)] as const;
  });

/** Each digit as strokes in a unit box, x to the right and y down. */
const GLYPHS: Readonly<Record<string, ReadonlyArray<Stroke>>> = {
  "0": [arc(0.5, 0.5, 0.38, 0.48, 0, 360, 20)],
  "1": [[[0.25, 0.22], [0.55, 0.02], [0.55, 0.98]], [[0.28, 0.98], [0.82, 0.98]]],
  "2": [[...arc(0.5, 0.3, 0.36, 0.27, 200, 370), [0.12, 0.98], [0.9, 0.98]]],
  "3": [arc(0.47, 0.27, 0.34, 0.24, 200, 450), arc(0.47, 0.73, 0.38, 0.25, 270, 520)],
  "4": [[[0.72, 0.98], [0.72, 0.02], [0.08, 0.7], [0.94, 0.7]]],
  "5": [[[0.85, 0.02], [0.22, 0.02], [0.17, 0.45], ...arc(0.48, 0.66, 0.38, 0.32, 230, 510)]],
  "6": [[...arc(0.55, 0.55, 0.45, 0.55, 270, 180, 8), ...arc(0.5, 0.7, 0.36, 0.28, 180, 540, 18)]],
  "7": [[[0.08, 0.02], [0.92, 0.02], [0.4, 0.98]], [[0.3, 0.5], [0.78, 0.5]]],
  "8": [arc(0.5, 0.26, 0.3, 0.24, 0, 360, 16), arc(0.5, 0.73, 0.36, 0.26, 0, 360, 18)],
  "9": [[...arc(0.5, 0.3, 0.36, 0.28, 0, 360, 18), ...arc(0.45, 0.45, 0.45, 0.55, 0, 90, 8)]],
};

interface Segment {
  readonly ax: number;
  readonly ay: number;
  readonly bx: number;
  readonly by: number;
}

const distanceToSegment = (px: number, py: number, s: Segment): number => {
  const dx = s.bx - s.ax;
  const dy = s.by - s.ay;
  const length2 = dx * dx + dy * dy;
  const t = length2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - s.ax) * dx + (py - s.ay) * dy) / length2));
  return Math.hypot(px - (s.ax + t * dx), py - (s.ay + t * dy));
};

type Rgb = readonly [number, number, number];

class Canvas {
  readonly pixels = new Uint8Array(CAPTCHA_WIDTH * CAPTCHA_HEIGHT * 3);

  fill(color: Rgb) {
    for (let i = 0; i < this.pixels.length; i += 3) this.pixels.set(color, i);
  }

  /** Blends `color` into a pixel with coverage `alpha` (0..1). */
  blend(x: number, y: number, color: Rgb, alpha: number) {
    if (x < 0 || y < 0 || x >= CAPTCHA_WIDTH || y >= CAPTCHA_HEIGHT || alpha <= 0) return;
    const i = (y * CAPTCHA_WIDTH + x) * 3;
    for (let c = 0; c < 3; c++) {
      this.pixels[i + c] = Math.round(this.pixels[i + c] * (1 - alpha) + color[c] * alpha);
    }
  }

  /** Anti-aliased thick polyline segments. */
  stroke(segments: ReadonlyArray<Segment>, width: number, color: Rgb) {
    const half = width / 2;
    const xs = segments.flatMap((s) => [s.ax, s.bx]);
    const ys = segments.flatMap((s) => [s.ay, s.by]);
    const x0 = Math.floor(Math.min(...xs) - half - 1);
    const x1 = Math.ceil(Math.max(...xs) + half + 1);
    const y0 = Math.floor(Math.min(...ys) - half - 1);
    const y1 = Math.ceil(Math.max(...ys) + half + 1);
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        let d = Infinity;
        for (const s of segments) d = Math.min(d, distanceToSegment(x + 0.5, y + 0.5, s));
        this.blend(x, y, color, Math.max(0, Math.min(1, half + 0.5 - d)));
      }
    }
  }
}

const segmentsOf = (stroke: Stroke, place: (p: Point) => Point): ReadonlyArray<Segment> =>
  stroke.slice(1).map((p, i) => {
    const [ax, ay] = place(stroke[i]);
    const [bx, by] = place(p);
    return { ax, ay, bx, by };
  });

const INKS: ReadonlyArray<Rgb> = [[76, 48, 170], [40, 62, 150], [98, 40, 130], [30, 30, 90]];

/** `random` gives numbers in [0, 1) (crypto-backed in the service). */
export const drawCaptcha = (digits: string, random: () => number): Uint8Array => {
  const between = (lo: number, hi: number) => lo + (hi - lo) * random();
  const canvas = new Canvas();
  canvas.fill([244, 242, 252]);
  for (let i = 0; i < 500; i++) {
    canvas.blend(
      Math.floor(random() * CAPTCHA_WIDTH),
      Math.floor(random() * CAPTCHA_HEIGHT),
      INKS[Math.floor(random() * INKS.length)],
      between(0.15, 0.45),
    );
  }
  const slot = CAPTCHA_WIDTH / (digits.length + 1);
  [...digits].forEach((digit, i) => {
    const glyph = GLYPHS[digit] ?? [];
    const height = between(30, 42);
    const width = height * between(0.5, 0.68);
    const angle = between(-0.3, 0.3);
    const shear = between(-0.2, 0.2);
    const cx = slot * (i + 1) + between(-5, 5);
    const cy = CAPTCHA_HEIGHT / 2 + between(-4, 4);
    const place = ([u, v]: Point): Point => {
      const x = (u - 0.5) * width + shear * (v - 0.5) * height;
      const y = (v - 0.5) * height;
      return [cx + x * Math.cos(angle) - y * Math.sin(angle), cy + x * Math.sin(angle) + y * Math.cos(angle)];
    };
    const ink = INKS[Math.floor(random() * INKS.length)];
    canvas.stroke(glyph.flatMap((s) => segmentsOf(s, place)), between(3.2, 4.4), ink);
  });
  for (let line = 0; line < 3; line++) {
    const phase = between(0, Math.PI * 2);
    const period = between(40, 90);
    const amplitude = between(5, 12);
    const base = between(15, 45);
    const wave: Array<Point> = [];
    for (let x = -4; x <= CAPTCHA_WIDTH + 4; x += 6) {
      wave.push([x, base + amplitude * Math.sin(phase + (x / period) * Math.PI * 2)]);
    }
    const width = between(1, 1.6);
    for (const segment of segmentsOf(wave, (p) => p)) {
      canvas.stroke([segment], width, INKS[line % INKS.length]);
    }
  }
  return encodeRgbPng(CAPTCHA_WIDTH, CAPTCHA_HEIGHT, canvas.pixels);
};
