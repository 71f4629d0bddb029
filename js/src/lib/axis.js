// Axis transforms (linear and symlog), their inverse, nearest-index lookup, pixel → index maps,
// tick generation and number formatting. Pure functions, no DOM.

/** symlog: linear (x / c) within ±c, logarithmic beyond: sign(x) (1 + log10(|x| / c)). */
export function symlog(x, c) {
  const a = Math.abs(x);
  return a <= c ? x / c : Math.sign(x) * (1 + Math.log10(a / c));
}

/** Inverse of symlog. */
export function symlogInverse(y, c) {
  const a = Math.abs(y);
  return a <= 1 ? y * c : Math.sign(y) * c * 10 ** (a - 1);
}

/**
 * A scale from `domain` (data units) to `range` (pixels), linear or symlog ("linear within
 * ±linthresh, log beyond"). Returns {fwd, inv (transforms), map (data → px), invert (px → data),
 * ticks(n)}. A degenerate domain is widened by ±1 so that the scale stays invertible.
 */
export function makeScale({ domain, range, kind = "linear", linthresh = 1 }) {
  if (kind !== "linear" && kind !== "symlog") throw new Error(`unknown scale kind ${JSON.stringify(kind)}`);
  if (kind === "symlog" && !(linthresh > 0)) throw new Error(`linthresh must be > 0, got ${linthresh}`);
  let [d0, d1] = domain;
  if (d0 === d1) [d0, d1] = [d0 - 1, d1 + 1];
  const fwd = kind === "symlog" ? (x) => symlog(x, linthresh) : (x) => x;
  const inv = kind === "symlog" ? (y) => symlogInverse(y, linthresh) : (y) => y;
  const t0 = fwd(d0);
  const k = (range[1] - range[0]) / (fwd(d1) - t0);
  return {
    kind, linthresh, domain: [d0, d1], range: [...range], fwd, inv,
    map: (x) => range[0] + (fwd(x) - t0) * k,
    invert: (p) => inv(t0 + (p - range[0]) / k),
    ticks: (n = 5) => (kind === "symlog" ? symlogTicks(d0, d1, linthresh, n) : linearTicks(d0, d1, n)),
  };
}

/** Index of the value of sorted (increasing) `arr` nearest to x; -1 for an empty array or NaN. */
export function nearestIndex(arr, x) {
  const n = arr.length;
  if (n === 0 || x !== x) return -1;
  if (x <= arr[0]) return 0;
  if (x >= arr[n - 1]) return n - 1;
  let lo = 0, hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (arr[mid] <= x) lo = mid;
    else hi = mid;
  }
  return x - arr[lo] <= arr[hi] - x ? lo : hi;
}

/**
 * For each of `n` pixels (centres at i + 0.5 in the scale's range units), the index of the grid
 * coordinate nearest in the *transformed* space, so that cells of a non-uniform or symlog axis
 * split at their visual midpoints. Returns an Int32Array of length n.
 */
export function indexMap(scale, coords, n) {
  const t = Float64Array.from(coords, scale.fwd);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = nearestIndex(t, scale.fwd(scale.invert(i + 0.5)));
  return out;
}

/** "Nice" step (1, 2 or 5 × 10^k) for about n intervals over span. */
export function niceStep(span, n = 5) {
  const raw = Math.abs(span) / Math.max(n, 1);
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
}

/** [lo, hi] rounded outwards to whole multiples of the nice step for about n intervals. */
export function niceDomain([lo, hi], n = 4) {
  const step = niceStep(hi - lo, n);
  const a = Math.floor(lo / step) * step, b = Math.ceil(hi / step) * step;
  return a < b ? [Number(a.toPrecision(12)), Number(b.toPrecision(12))] : [lo, hi];
}

/** About n nice ticks within [a, b] (inclusive). */
export function linearTicks(a, b, n = 5) {
  const [lo, hi] = a <= b ? [a, b] : [b, a];
  const step = niceStep(hi - lo, n);
  const out = [];
  const eps = step * 1e-9;
  for (let v = Math.ceil((lo - eps) / step) * step; v <= hi + eps; v += step) {
    out.push(Math.abs(v) < eps ? 0 : Number(v.toPrecision(12)));
  }
  return out;
}

/** Symlog ticks: 0, ±linthresh·10^k decades inside [a, b], thinned to about n + 2 ticks. */
export function symlogTicks(a, b, c, n = 5) {
  const [lo, hi] = a <= b ? [a, b] : [b, a];
  if (hi <= c && lo >= -c) return linearTicks(lo, hi, n);
  const dec = [];
  const top = Math.max(Math.abs(lo), Math.abs(hi));
  for (let v = c; v <= top * (1 + 1e-9); v *= 10) dec.push(Number(v.toPrecision(12)));
  let every = 1;
  while (Math.ceil(dec.length / every) * (lo < 0 ? 2 : 1) > n + 2) every++;
  const pos = dec.filter((_, i) => i % every === 0);
  const out = [];
  const tol = 1e-9 * top; // a domain end computed in floating point (999.9999999) keeps its tick
  for (const v of [...pos].reverse()) if (-v >= lo - tol) out.push(-v);
  if (lo <= 0 && hi >= 0) out.push(0);
  for (const v of pos) if (v <= hi + tol) out.push(v);
  return out;
}

/** Compact number formatting for ticks and labels (3 significant digits by default). */
export function fmt(v, digits = 3) {
  if (v === null || v === undefined || v !== v) return "–";
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(Math.max(digits - 1, 0)).replace("e+", "e");
  return String(Number(v.toPrecision(digits)));
}
