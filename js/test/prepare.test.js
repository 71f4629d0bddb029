import { test } from "node:test";
import assert from "node:assert/strict";
import { polyfit, polyval, t0Curve, degreeFor, shiftColumns, correctedDelays, sortPoints, hitPoint, addBand, bandAt } from "../src/lib/chirp.js";

const close = (a, b, tol = 1e-9) => assert.ok(Math.abs(a - b) < tol, `${a} != ${b}`);

test("polyfit: exact through a cubic, least squares when over-determined", () => {
  const f = (x) => 0.5 - 1.2 * x + 0.3 * x * x + 0.07 * x ** 3;
  const xs = [-1.5, -0.7, 0, 0.4, 1.1, 1.4];
  const coef = polyfit(xs, xs.map(f), 3);
  [0.07, 0.3, -1.2, 0.5].forEach((c, i) => close(coef[i], c, 1e-10));
  for (const x of [-2, 0.3, 2]) close(polyval(coef, x), f(x), 1e-9);
  // a line through three points not on a line: numpy.polyfit([0, 1, 2], [0, 1, 3], 1)
  const [m, b] = polyfit([0, 1, 2], [0, 1, 3], 1);
  close(m, 1.5);
  close(b, -1 / 6);
  // degree 0: the mean
  close(polyfit([1, 2, 3], [2, 4, 9], 0)[0], 5);
  assert.throws(() => polyfit([1, 1], [0, 1], 1), /singular/);
});

test("t0Curve: the degree follows the points, x = (λ − centre) / 100 nm", () => {
  assert.equal(degreeFor(3, 5), 3);
  assert.equal(degreeFor(3, 2), 1);
  assert.equal(degreeFor(4, 1), 0);
  const wl = [500, 550, 600, 650, 700];
  // two points with order 3: the straight line through them
  const t = t0Curve([[500, 1.0], [700, 0.0]], 3, 600, wl);
  [1.0, 0.75, 0.5, 0.25, 0.0].forEach((v, i) => close(t[i], v));
  // a quadratic in x recovered from 3 points at degree 2
  const q = (l) => 0.2 + 0.5 * ((l - 600) / 100) ** 2;
  const t2 = t0Curve([[520, q(520)], [610, q(610)], [690, q(690)]], 2, 600, wl);
  wl.forEach((l, i) => close(t2[i], q(l), 1e-12));
  assert.ok(t0Curve([], 3, 600, wl).every((v) => Number.isNaN(v)));
});

test("shiftColumns: linear per column, NaN outside the measured delays", () => {
  const delays = [0, 1, 2, 4];
  const D = 4, W = 3;
  // column w holds 10·w + delay (linear in delay, so interpolation is exact)
  const map = new Float32Array(D * W);
  for (let d = 0; d < D; d++) for (let w = 0; w < W; w++) map[d * W + w] = 10 * w + delays[d];
  const out = shiftColumns(map, D, W, delays, [0, 0.5, -1]);
  for (let d = 0; d < D; d++) assert.equal(out[d * W], map[d * W]); // no shift: as measured
  // column 1 at delays + 0.5: 0.5, 1.5, 2.5, then 4.5 is beyond the last delay → NaN
  [10.5, 11.5, 12.5].forEach((v, d) => close(out[d * W + 1], v, 1e-6));
  assert.ok(Number.isNaN(out[3 * W + 1]));
  // column 2 at delays − 1: −1 is before the first delay → NaN; then 0, 1, 3
  assert.ok(Number.isNaN(out[2]));
  [20, 21, 23].forEach((v, k) => close(out[(k + 1) * W + 2], v, 1e-6));
  // a NaN t0 leaves a column untouched
  const same = shiftColumns(map, D, W, delays, [NaN, NaN, NaN]);
  assert.deepEqual(Array.from(same), Array.from(map));
});

test("shiftColumns on a non-uniform grid matches direct interpolation", () => {
  const delays = [-2, -1, -0.5, 0, 0.2, 0.5, 1, 3, 10, 50];
  const D = delays.length, W = 5;
  const f = (t, w) => Math.sin(t * (w + 1)) + w;
  const map = new Float32Array(D * W);
  for (let d = 0; d < D; d++) for (let w = 0; w < W; w++) map[d * W + w] = f(delays[d], w);
  const t0 = [0.3, -0.25, 0.7, 1.5, -1.2];
  const out = shiftColumns(map, D, W, delays, t0);
  for (let w = 0; w < W; w++) {
    for (let d = 0; d < D; d++) {
      const q = delays[d] + t0[w];
      if (q < delays[0] || q > delays[D - 1]) { assert.ok(Number.isNaN(out[d * W + w])); continue; }
      let j = 0;
      while (delays[j + 1] < q) j++;
      const fr = (q - delays[j]) / (delays[j + 1] - delays[j]);
      close(out[d * W + w], map[j * W + w] + fr * (map[(j + 1) * W + w] - map[j * W + w]), 1e-5);
    }
  }
});

test("correctedDelays: the core's axis — measured minus the earliest t0, a head before it", () => {
  const delays = [-1, -0.5, 0, 0.5, 1, 2, 5];
  // t0 from −0.2 to 0.6 (span 0.8): head = delays before −1 + 0.8 = −0.2, minus 0.6
  const g = correctedDelays(delays, [0.6, 0.1, -0.2]);
  const expected = [-1.6, -1.1, ...delays.map((t) => t + 0.2)];
  assert.equal(g.length, expected.length);
  expected.forEach((v, i) => close(g[i], v, 1e-12));
  // each column's measured span [t_first − t0, t_last − t0] lies on the axis
  for (const s of [0.6, 0.1, -0.2]) assert.ok(g[0] <= delays[0] - s + 1e-12 && g[g.length - 1] >= delays[6] - s - 1e-12);
  assert.deepEqual(Array.from(correctedDelays(delays, [NaN, NaN])), delays);
  // a column on that axis: NaN exactly where it was not measured, values elsewhere
  const W = 3, D = delays.length;
  const map = new Float32Array(D * W).map((_, i) => delays[Math.floor(i / W)]);
  const out = shiftColumns(map, D, W, delays, [0.6, 0.1, -0.2], null, g);
  for (let d = 0; d < g.length; d++) {
    [0.6, 0.1, -0.2].forEach((s, w) => {
      const q = g[d] + s, v = out[d * W + w];
      if (q < -1 - 1e-9 || q > 5 + 1e-9) assert.ok(Number.isNaN(v), `${d},${w}`);
      else close(v, q, 1e-5);
    });
  }
});

test("point and band edits", () => {
  assert.deepEqual(sortPoints([[600, 1], [500, 2]]), [[500, 2], [600, 1]]);
  const toPx = (p) => [p[1] * 10, p[0]];
  assert.equal(hitPoint([[500, 1], [520, 1]], toPx, 11, 518), 1);
  assert.equal(hitPoint([[500, 1]], toPx, 40, 500), -1);
  assert.deepEqual(addBand([[600, 610]], [560, 550]), [[550, 560], [600, 610]]);
  assert.equal(bandAt([[550, 560], [600, 610]], 605), 1);
  assert.equal(bandAt([[550, 560]], 580), -1);
});
