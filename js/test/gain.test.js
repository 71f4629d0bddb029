import { test } from "node:test";
import assert from "node:assert/strict";
import { gainBands, widest } from "../src/lib/gain.js";
import { pyG, signed4, readoutWhileScrubbing } from "../src/lib/readout.js";
import { palette, parseColor, luminance } from "../src/lib/theme.js";

const close = (a, b, tol = 1e-9) => assert.ok(Math.abs(a - b) < tol, `${a} != ${b}`);

test("gainBands: A_ex < −k·σ with interpolated edges, runs at the grid ends", () => {
  const wl = [600, 610, 620, 630, 640];
  const y = [0.01, -0.01, -0.05, -0.01, 0.02];
  // threshold 0: the zero crossings 605 and 633.33
  const [[lo, hi]] = gainBands(wl, y);
  close(lo, 605);
  close(hi, 630 + 10 * 0.01 / 0.03);
  // σ = 0.01, k = 2: only where y < −0.02 — edges where y + 0.02 = 0
  const [[a, b]] = gainBands(wl, y, [0.01, 0.01, 0.01, 0.01, 0.01], 2);
  close(a, 610 + 10 * 0.01 / 0.04);
  close(b, 620 + 10 * 0.03 / 0.04);
  assert.deepEqual(gainBands(wl, [-1, 1, 1, 1, -1]), [[600, 600 + 10 * 1 / 2], [640 - 5, 640]]);
  assert.deepEqual(gainBands(wl, [1, 1, 1, 1, 1]), []);
  // noise speckle: single points a little below zero are not gain with k = 3
  assert.deepEqual(gainBands(wl, [0.001, -0.002, 0.001, -0.001, 0.0], [0.001, 0.001, 0.001, 0.001, 0.001], 3), []);
  // one sample just above the threshold inside a band (noise at its edge) does not split it
  const split = gainBands([600, 601, 602, 603, 604, 605, 606], [1, -1, -1, 0.01, -1, -1, 1]);
  assert.equal(split.length, 1);
  close(split[0][0], 600.5);
  close(split[0][1], 605.5);
  assert.equal(gainBands([600, 601, 602, 603, 604, 605, 606], [1, -1, 1, 1, 1, -1, 1]).length, 2);
  assert.deepEqual(widest([[1, 2], [3, 9], [10, 11]]), [3, 9]);
  assert.equal(widest([]), null);
});

test("pyG and signed4 format as Python's .3g / .4g and +.4f", () => {
  assert.equal(pyG(9.95943, 3), "9.96");
  assert.equal(pyG(530.262512, 4), "530.3");
  assert.equal(pyG(639, 4), "639");
  assert.equal(pyG(0.8, 3), "0.8");
  assert.equal(pyG(1000, 3), "1e+03");
  assert.equal(pyG(0.00001234, 3), "1.23e-05");
  assert.equal(signed4(0.00123), "+0.0012");
  assert.equal(signed4(-0.0123456), "-0.0123");
});

test("the scrubbing readout keeps Python's head and follows the cursor after ' · '", () => {
  const wl = [630, 639, 650];
  const settled = "A_ex(639 nm) crosses zero at 2.31 ± 0.05 ps (⟨N⟩ ≈ 1.2) · at 2.3 ps: A_ex = -0.0012 OD";
  const line = readoutWhileScrubbing({
    settled, delay: 9.95943, wavelength: 639, settledWavelength: 639, dA: -0.1,
    a0: [0.05, 0.08, 0.02], spectrum: [0.01, -0.02, 0.01], wl, noise: null, k: 3,
  });
  assert.equal(line, "A_ex(639 nm) crosses zero at 2.31 ± 0.05 ps (⟨N⟩ ≈ 1.2) · at 9.96 ps: A_ex = -0.0200 OD, gain 633–646 nm");
  const other = readoutWhileScrubbing({
    settled, delay: 1, wavelength: 650, settledWavelength: 639, dA: 0, a0: [0, 0, 0],
    spectrum: [0.01, 0.02, 0.03], wl, noise: null, k: 3,
  });
  assert.ok(other.endsWith("· at 1 ps: A_ex(650 nm) = +0.0300 OD"), other);
  const noA0 = readoutWhileScrubbing({ settled: "x", delay: 2.5, wavelength: 639, settledWavelength: 639, dA: -0.01, a0: null, spectrum: null, wl, noise: null, k: 3 });
  assert.equal(noA0, "ΔA(639 nm) = -0.0100 OD at 2.5 ps · A_ex needs A0");
});

test("theme palette: dark background gives light marks and the dark colour map", () => {
  assert.deepEqual(parseColor("#111"), [17, 17, 17]);
  assert.deepEqual(parseColor("rgba(255, 255, 255, 0.87)"), [255, 255, 255]);
  const dark = palette({ "--jp-layout-color0": "#111111", "--jp-ui-font-color1": "rgba(255,255,255,0.87)" });
  assert.ok(dark.dark && dark.colormap === "RdBu_r_dark");
  assert.ok(luminance(parseColor(dark.A_ex)) > 0.8, "the sum line is light on a dark background");
  const light = palette({});
  assert.ok(!light.dark && light.colormap === "RdBu_r" && luminance(parseColor(light.A_ex)) < 0.2);
});
