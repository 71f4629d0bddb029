import { test } from "node:test";
import assert from "node:assert/strict";
import { buildLut, packLut, colorIndex, colorOf, absQuantile, autoVmax, N_COLORS, NAN_INDEX } from "../src/lib/colormap.js";

const rgb = (lut, i) => [lut[4 * i], lut[4 * i + 1], lut[4 * i + 2]];

test("RdBu_r: blue for negative, white at zero, red for positive", () => {
  const lut = buildLut("RdBu_r");
  assert.equal(lut.length, (N_COLORS + 1) * 4);
  assert.deepEqual(rgb(lut, 0), [0x05, 0x30, 0x61]); // #053061 dark blue
  assert.deepEqual(rgb(lut, N_COLORS - 1), [0x67, 0x00, 0x1f]); // #67001f dark red
  assert.deepEqual(rgb(lut, (N_COLORS - 1) / 2), [0xf7, 0xf7, 0xf7]); // centre #f7f7f7
  const [r, , b] = rgb(lut, colorIndex(-0.5, 1));
  assert.ok(b > r, "negative values are blue");
  const [r2, , b2] = rgb(lut, colorIndex(0.5, 1));
  assert.ok(r2 > b2, "positive values are red");
  for (let i = 0; i <= N_COLORS; i++) assert.equal(lut[4 * i + 3], 255);
});

test("colorIndex: symmetric, clamped, NaN to its own entry", () => {
  assert.equal(colorIndex(0, 2), (N_COLORS - 1) / 2);
  assert.equal(colorIndex(-2, 2), 0);
  assert.equal(colorIndex(-100, 2), 0);
  assert.equal(colorIndex(2, 2), N_COLORS - 1);
  assert.equal(colorIndex(100, 2), N_COLORS - 1);
  assert.equal(colorIndex(NaN, 2), NAN_INDEX);
  for (const v of [0.1, 0.37, 0.9]) assert.equal(colorIndex(v, 1) + colorIndex(-v, 1), N_COLORS - 1);
  // monotone
  let prev = -1;
  for (let v = -1.2; v <= 1.2; v += 0.01) {
    const i = colorIndex(v, 1);
    assert.ok(i >= prev);
    prev = i;
  }
});

test("packLut keeps the bytes in ImageData order", () => {
  const lut = buildLut();
  const packed = packLut(lut);
  assert.equal(packed.length, N_COLORS + 1);
  assert.deepEqual([...new Uint8Array(packed.buffer, 4 * 17, 4)], [...lut.slice(4 * 17, 4 * 18)]);
  assert.equal(colorOf(NaN, 1, lut), "rgb(200,200,200)");
  assert.throws(() => buildLut("jet"), /unknown colormap/);
});

function sortedQuantile(values, q) {
  const a = Array.from(values).filter(Number.isFinite).map(Math.abs).sort((x, y) => x - y);
  const k = q * (a.length - 1), lo = Math.floor(k);
  return lo + 1 < a.length ? a[lo] + (k - lo) * (a[lo + 1] - a[lo]) : a[lo];
}

test("absQuantile equals a sort-based linear-interpolated quantile", () => {
  let seed = 7;
  const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) - 0.5;
  for (const n of [1, 2, 3, 10, 101, 5000]) {
    const v = Float32Array.from({ length: n }, rand);
    for (const q of [0, 0.5, 0.9, 0.995, 1]) {
      assert.ok(Math.abs(absQuantile(v, q) - sortedQuantile(v, q)) <= 1e-7, `n=${n} q=${q}`);
    }
  }
  // with ties (quickselect must not loop) and non-finite values ignored
  const ties = Float32Array.from({ length: 1000 }, (_, i) => (i % 3) - 1);
  assert.equal(absQuantile(ties, 0.5), 1);
  const withNan = Float32Array.from([NaN, 1, -2, Infinity, 3, -Infinity]);
  assert.equal(absQuantile(withNan, 1), 3);
  assert.ok(Number.isNaN(absQuantile(Float32Array.from([NaN]), 0.5)));
});

test("absQuantile with an offset per wavelength equals the quantile of values + offset", () => {
  const W = 4, D = 50;
  const v = Float32Array.from({ length: D * W }, (_, i) => Math.sin(i) * 0.01);
  const a0 = Float32Array.from([0.1, -0.2, 0.05, 0]);
  const sum = v.map((x, i) => x + a0[i % W]);
  assert.ok(Math.abs(absQuantile(v, 0.995, a0) - sortedQuantile(sum, 0.995)) < 1e-7);
});

test("autoVmax never returns 0 or NaN", () => {
  assert.equal(autoVmax(new Float32Array(10)), 1);
  assert.equal(autoVmax(Float32Array.from([NaN, NaN])), 1);
  const v = Float32Array.from({ length: 1000 }, (_, i) => (i < 995 ? 0.001 : 5));
  assert.ok(autoVmax(v) < 5 && autoVmax(v) > 0.001, "an outlier does not set the scale");
});

test("absQuantile with an offset skips non-finite sums", () => {
  const v = Float32Array.from([NaN, 1, Infinity, -3, 2, 0.5]);
  const a0 = Float32Array.from([1, -1, 0]);
  // sums: NaN, 0, inf, -2, 1, 0.5 → finite |.|: 0, 2, 1, 0.5 → max 2, median 0.75
  assert.equal(absQuantile(v, 1, a0), 2);
  assert.equal(absQuantile(v, 0.5, a0), 0.75);
});

test("paintMap: each pixel shows its cell's colour, rows top-down, offsets added", async () => {
  const { paintMap } = await import("../src/lib/colormap.js");
  const lut32 = packLut(buildLut());
  const W = 2;
  const map = Float32Array.from([-1, 0.2, NaN, 0.9, Infinity, -Infinity]); // [D, W]
  const col = Int32Array.from([0, 0, 1, 2]); // 4 pixel columns → delay index
  const row = Int32Array.from([1, 0]); // 2 pixel rows, top row = the larger wavelength
  const px = paintMap(new Uint32Array(8), map, W, col, row, null, 1, lut32);
  const expect = (v) => lut32[colorIndex(v, 1)];
  assert.deepEqual([...px], [0.2, 0.2, 0.9, -Infinity, -1, -1, NaN, Infinity].map(expect));
  assert.equal(px[3], lut32[0]); // -inf: the blue end
  assert.equal(px[7], lut32[N_COLORS - 1]); // +inf: the red end
  const a0 = Float32Array.from([0.5, -0.5]);
  const withA0 = paintMap(new Uint32Array(8), map, W, col, row, a0, 1, lut32);
  assert.deepEqual([...withA0], [-0.3, -0.3, 0.4, -Infinity, -0.5, -0.5, NaN, Infinity].map(expect));
});
