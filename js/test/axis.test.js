import { test } from "node:test";
import assert from "node:assert/strict";
import { symlog, symlogInverse, makeScale, nearestIndex, indexMap, linearTicks, symlogTicks, niceStep, fmt } from "../src/lib/axis.js";

const close = (a, b, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} != ${b}`);

test("symlog: linear inside ±c, log10 decades outside, continuous, odd, inverted exactly", () => {
  const c = 2;
  close(symlog(1, c), 0.5);
  close(symlog(-2, c), -1);
  close(symlog(20, c), 2);
  close(symlog(200, c), 3);
  close(symlog(-2000, c), -4);
  close(symlog(2 + 1e-12, c), 1);
  for (const x of [-5000, -20, -2, -0.3, 0, 0.7, 2, 3.3, 1e4]) close(symlogInverse(symlog(x, c), c), x);
});

test("makeScale maps the domain onto the range and inverts", () => {
  const lin = makeScale({ domain: [-1, 9], range: [0, 100] });
  close(lin.map(-1), 0);
  close(lin.map(9), 100);
  close(lin.map(4), 50);
  close(lin.invert(25), 1.5);
  const sl = makeScale({ domain: [-1, 1000], range: [10, 310], kind: "symlog", linthresh: 1 });
  close(sl.map(-1), 10);
  close(sl.map(1000), 310);
  // -1..1 is two units, 1..1000 is three decades: 5 units over 300 px
  close(sl.map(1), 10 + 120);
  close(sl.map(10), 10 + 180);
  for (const x of [-0.5, 0, 0.3, 7, 123]) close(sl.invert(sl.map(x)), x);
  const rev = makeScale({ domain: [500, 700], range: [200, 0] });
  close(rev.map(500), 200);
  close(rev.invert(0), 700);
  const degenerate = makeScale({ domain: [3, 3], range: [0, 10] });
  close(degenerate.map(3), 5);
  assert.throws(() => makeScale({ domain: [0, 1], range: [0, 1], kind: "symlog", linthresh: 0 }), /linthresh/);
  assert.throws(() => makeScale({ domain: [0, 1], range: [0, 1], kind: "log" }), /unknown scale/);
});

test("nearestIndex on a non-uniform grid", () => {
  const g = [-1, 0, 0.5, 2, 10];
  assert.equal(nearestIndex(g, -5), 0);
  assert.equal(nearestIndex(g, 100), 4);
  assert.equal(nearestIndex(g, 0.2), 0 + 1);
  assert.equal(nearestIndex(g, 0.3), 2);
  assert.equal(nearestIndex(g, 1.2), 2);
  assert.equal(nearestIndex(g, 1.3), 3);
  assert.equal(nearestIndex(g, 6), 3);
  assert.equal(nearestIndex(g, 6.01), 4);
  assert.equal(nearestIndex(g, 2), 3);
  assert.equal(nearestIndex([], 1), -1);
  assert.equal(nearestIndex(g, NaN), -1);
  // brute force agreement
  const grid = Float64Array.from({ length: 97 }, (_, i) => i * i * 0.01 - 3);
  for (let x = -4; x < 95; x += 0.37) {
    let best = 0;
    for (let i = 1; i < grid.length; i++) if (Math.abs(grid[i] - x) < Math.abs(grid[best] - x)) best = i;
    assert.equal(nearestIndex(grid, x), best);
  }
});

test("indexMap: pixel columns split cells at their midpoints in transformed space", () => {
  const coords = [0, 1, 2, 3];
  const s = makeScale({ domain: [0, 3], range: [0, 6] });
  assert.deepEqual([...indexMap(s, coords, 6)], [0, 1, 1, 2, 2, 3]);
  // wavelength rows drawn upward: row 0 is the largest coordinate
  const up = makeScale({ domain: [0, 3], range: [4, 0] });
  assert.deepEqual([...indexMap(up, coords, 4)], [3, 2, 1, 0]);
  // symlog: each decade gets the same number of pixels
  const d = [1, 10, 100, 1000];
  const sl = makeScale({ domain: [1, 1000], range: [0, 300], kind: "symlog", linthresh: 1 });
  const m = indexMap(sl, d, 300);
  const counts = [0, 0, 0, 0];
  for (const i of m) counts[i]++;
  assert.deepEqual(counts, [50, 100, 100, 50]);
});

test("ticks", () => {
  assert.deepEqual(linearTicks(0, 10, 5), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(linearTicks(-0.3, 0.3, 6), [-0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.3]);
  assert.deepEqual(linearTicks(500, 700, 4), [500, 550, 600, 650, 700]);
  close(niceStep(7, 5), 1);
  close(niceStep(0.037, 5), 0.005); // 0.0074 rounds to 5e-3
  close(niceStep(0.04, 5), 0.01); // 0.008 rounds up to 1e-2
  assert.deepEqual(symlogTicks(-1, 1000, 1, 6), [-1, 0, 1, 10, 100, 1000]);
  assert.deepEqual(symlogTicks(-1, 5 * 200 ** 1 - 1e-10, 1, 6), [-1, 0, 1, 10, 100, 1000]);
  assert.deepEqual(symlogTicks(-0.5, 0.5, 1, 4), linearTicks(-0.5, 0.5, 4));
  const many = symlogTicks(-1e4, 1e4, 0.1, 5);
  assert.ok(many.length <= 9, `${many}`);
  assert.ok(many.includes(0));
  for (let i = 1; i < many.length; i++) assert.ok(many[i] > many[i - 1]);
});

test("fmt", () => {
  assert.equal(fmt(0), "0");
  assert.equal(fmt(2.3456), "2.35");
  assert.equal(fmt(639.04, 4), "639");
  assert.equal(fmt(-0.00012), "-1.20e-4");
  assert.equal(fmt(NaN), "–");
  assert.equal(fmt(null), "–");
});

test("niceDomain rounds outwards to whole steps and is stable for nearby ranges", async () => {
  const { niceDomain } = await import("../src/lib/axis.js");
  assert.deepEqual(niceDomain([-0.0123, 0.0371]), [-0.02, 0.04]);
  assert.deepEqual(niceDomain([-0.0119, 0.0366]), [-0.02, 0.04]);
  assert.deepEqual(niceDomain([0, 1]), [0, 1]);
  assert.deepEqual(niceDomain([-3.3, -0.2]), [-4, 0]);
  assert.deepEqual(niceDomain([2, 2]), [2, 2]);
});
