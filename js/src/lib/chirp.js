// The Prepare widget's pure helpers: the chirp polynomial t0(λ) through the user's points (least
// squares, as numpy.polyfit does in Python), the per-column shift of a [D, W] map by t0(λ) (linear
// interpolation, NaN outside a column's measured range), and small list edits (points, bands).

/** x of the chirp polynomial: (λ − centre) / 100 nm, as in qdwidgets.core.chirp. */
export const SCALE_NM = 100;

/** The degree used: `order`, at most the number of points − 1 (0 for one point). */
export function degreeFor(order, nPoints) {
  return Math.max(Math.min(order | 0, nPoints - 1), 0);
}

/**
 * Least-squares polynomial of degree `deg` through (xs, ys): the coefficients, highest power
 * first (numpy.polyfit's order). Solved on the normal equations with partial pivoting, which is
 * ample for degree ≤ 4 and |x| ≲ 3.
 */
export function polyfit(xs, ys, deg) {
  const n = deg + 1;
  const A = Array.from({ length: n }, () => new Float64Array(n + 1));
  for (let k = 0; k < xs.length; k++) {
    const pw = new Float64Array(2 * n - 1);
    pw[0] = 1;
    for (let i = 1; i < pw.length; i++) pw[i] = pw[i - 1] * xs[k];
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) A[r][c] += pw[r + c];
      A[r][n] += pw[r] * ys[k];
    }
  }
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(A[r][c]) > Math.abs(A[p][c])) p = r;
    [A[c], A[p]] = [A[p], A[c]];
    const piv = A[c][c];
    if (piv === 0) throw new Error("polyfit: singular system (points at the same wavelength?)");
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = A[r][c] / piv;
      if (f !== 0) for (let k = c; k <= n; k++) A[r][k] -= f * A[c][k];
    }
  }
  const low = Array.from({ length: n }, (_, i) => A[i][n] / A[i][i]); // a0 + a1 x + …
  return low.reverse();
}

/** Horner evaluation of `coef` (highest power first) at x. */
export function polyval(coef, x) {
  let v = 0;
  for (const c of coef) v = v * x + c;
  return v;
}

/**
 * t0 (ps) at every wavelength of `wl` (nm): the polynomial of degree min(order, n − 1) through
 * the points [[λ, t0], …], in x = (λ − centre) / 100 nm. NaN everywhere when there is no point.
 */
export function t0Curve(points, order, centre, wl, out = null) {
  const res = out ?? new Float64Array(wl.length);
  if (!points.length) { res.fill(NaN); return res; }
  const xs = points.map((p) => (p[0] - centre) / SCALE_NM), ys = points.map((p) => p[1]);
  const coef = polyfit(xs, ys, degreeFor(order, points.length));
  for (let i = 0; i < wl.length; i++) res[i] = polyval(coef, (wl[i] - centre) / SCALE_NM);
  return res;
}

/**
 * The delay axis after the correction, as qdwidgets.core.chirp.correct makes it: the measured
 * delays minus the earliest t0, and before them the earliest measured delays minus the latest
 * t0, so that every wavelength's measured span [t_first − t0(λ), t_last − t0(λ)] lies on it.
 * The measured delays when t0 holds no finite value.
 */
export function correctedDelays(delays, t0) {
  let lo = Infinity, hi = -Infinity;
  for (const v of t0) if (v === v) { if (v < lo) lo = v; if (v > hi) hi = v; }
  if (!(lo <= hi)) return Float64Array.from(delays);
  const head = [];
  for (const t of delays) if (t < delays[0] + (hi - lo) - 1e-12) head.push(t - hi);
  const out = new Float64Array(head.length + delays.length);
  out.set(head);
  for (let i = 0; i < delays.length; i++) out[head.length + i] = delays[i] - lo;
  return out;
}

/**
 * The chirp-corrected map: out[d, w] = map(grid[d] + t0[w], w), linear between the measured
 * delays of column w, NaN where grid[d] + t0[w] lies outside them. `map` is C-ordered [D, W] on
 * `delays`; `out` is [grid.length, W] (Float32Array); `grid` defaults to `delays`. A NaN t0
 * leaves a column as measured (the grid must then be the measured delays).
 */
export function shiftColumns(map, D, W, delays, t0, out = null, grid = delays) {
  const G = grid.length;
  const res = out ?? new Float32Array(G * W);
  const first = delays[0], last = delays[D - 1];
  for (let w = 0; w < W; w++) {
    const s = t0[w];
    if (s !== s) {
      for (let d = 0, i = w; d < Math.min(D, G); d++, i += W) res[i] = map[i];
      continue;
    }
    let j = 0;
    for (let d = 0, i = w; d < G; d++, i += W) {
      const q = grid[d] + s;
      if (q < first - 1e-12 || q > last + 1e-12) { res[i] = NaN; continue; }
      while (j < D - 2 && delays[j + 1] < q) j++;
      const t1 = delays[j], t2 = delays[j + 1];
      const f = Math.min(Math.max((q - t1) / (t2 - t1), 0), 1);
      const a = map[j * W + w], b = map[(j + 1) * W + w];
      res[i] = f === 0 ? a : f === 1 ? b : a + (b - a) * f;
    }
  }
  return res;
}

/** Points sorted by wavelength (copies). */
export function sortPoints(points) {
  return points.map((p) => [p[0], p[1]]).sort((a, b) => a[0] - b[0]);
}

/** Index of the point within `radius` px of (px, py), the nearest; -1 when none. */
export function hitPoint(points, toPx, px, py, radius = 8) {
  let best = -1, bestD = radius * radius;
  points.forEach((p, i) => {
    const [x, y] = toPx(p);
    const d = (x - px) ** 2 + (y - py) ** 2;
    if (d <= bestD) { best = i; bestD = d; }
  });
  return best;
}

/** Bands [[lo, hi], …] with `band` added (ends ordered), sorted by their low end. */
export function addBand(bands, band) {
  const b = [Math.min(band[0], band[1]), Math.max(band[0], band[1])];
  return [...bands.map((x) => [x[0], x[1]]), b].sort((x, y) => x[0] - y[0]);
}

/** Index of the band holding wavelength λ; -1 when none. */
export function bandAt(bands, lam) {
  return bands.findIndex((b) => b[0] <= lam && lam <= b[1]);
}
