import { test } from "node:test";
import assert from "node:assert/strict";
import { padRange } from "../src/lib/draw.js";

test("padRange includes zero and pads by a fraction of the span", () => {
  assert.deepEqual(padRange(null), [-1, 1]);
  const [lo, hi] = padRange([2, 4], 0.1); // widened to [0, 4] first
  assert.ok(Math.abs(lo + 0.4) < 1e-12 && Math.abs(hi - 4.4) < 1e-12);
  const [a, b] = padRange([-3, -1], 0.5); // [-3, 0] → span 3
  assert.ok(Math.abs(a + 4.5) < 1e-12 && Math.abs(b - 1.5) < 1e-12);
  assert.deepEqual(padRange([0, 0], 0.5), [-0.5, 0.5]);
});
