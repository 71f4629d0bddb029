// Diverging colour mapping for TA maps: a symmetric scale ±vmax, blue negative, red positive.
//
// The LUT holds N_COLORS colours (odd, so 0 maps to the exact white centre) plus one extra
// entry, NAN_INDEX, used for NaN / missing values.

/** ColorBrewer RdBu (11 classes), reversed: index 0 = most negative (dark blue). */
const RDBU_R = [
  "#053061", "#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#f7f7f7",
  "#fddbc7", "#f4a582", "#d6604d", "#b2182b", "#67001f",
];

export const N_COLORS = 255;
export const NAN_INDEX = N_COLORS;
export const NAN_RGBA = [200, 200, 200, 255];
/** The same blue–red scale for dark backgrounds: bright ends, a near-black centre at zero. */
const RDBU_R_DARK = [
  "#c6dbef", "#6baed6", "#3182bd", "#1f5b94", "#17395c", "#1a1a1a",
  "#5a1f1f", "#98302a", "#cf4a35", "#f08a62", "#fdc9ad",
];
export const COLORMAPS = { RdBu_r: RDBU_R, RdBu_r_dark: RDBU_R_DARK };

function hexToRgb(hex) {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

/**
 * RGBA lookup table: Uint8ClampedArray of (N_COLORS + 1) * 4 bytes; entry NAN_INDEX is the NaN
 * colour. Colours are linearly interpolated between the colormap's control points.
 */
export function buildLut(name = "RdBu_r") {
  const stops = COLORMAPS[name];
  if (!stops) throw new Error(`unknown colormap ${JSON.stringify(name)}; use one of ${Object.keys(COLORMAPS)}`);
  const rgb = stops.map(hexToRgb);
  const lut = new Uint8ClampedArray((N_COLORS + 1) * 4);
  for (let i = 0; i < N_COLORS; i++) {
    const t = (i / (N_COLORS - 1)) * (rgb.length - 1);
    const j = Math.min(Math.floor(t), rgb.length - 2);
    const f = t - j;
    for (let c = 0; c < 3; c++) lut[i * 4 + c] = Math.round(rgb[j][c] + f * (rgb[j + 1][c] - rgb[j][c]));
    lut[i * 4 + 3] = 255;
  }
  lut.set(NAN_RGBA, NAN_INDEX * 4);
  return lut;
}

/** The LUT packed as one Uint32 per colour in the platform's byte order (for ImageData writes). */
export function packLut(lut) {
  const out = new Uint32Array(lut.length / 4);
  new Uint8ClampedArray(out.buffer).set(lut);
  return out;
}

/** LUT index of `value` on the symmetric scale ±vmax (clamped); NAN_INDEX for NaN. */
export function colorIndex(value, vmax) {
  if (value !== value) return NAN_INDEX;
  const i = Math.floor(((value / vmax + 1) / 2) * N_COLORS);
  return i < 0 ? 0 : i >= N_COLORS ? N_COLORS - 1 : i;
}

/** CSS rgb() string of `value` on ±vmax. */
export function colorOf(value, vmax, lut) {
  const i = colorIndex(value, vmax) * 4;
  return `rgb(${lut[i]},${lut[i + 1]},${lut[i + 2]})`;
}

/** In-place selection: after the call a[k] holds the k-th smallest value of a[lo..hi]. */
function select(a, k, lo, hi) {
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    // median of three as pivot
    let x = a[lo], y = a[mid], z = a[hi];
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i]; a[i] = a[j]; a[j] = t;
        i++; j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

/**
 * The q-quantile (0..1, linear interpolation like numpy's default) of |values + offset[i % W]|
 * over the finite entries. `offset` (length W) is optional: it adds A0 for an A_ex map without
 * allocating the map. Returns NaN when there is no finite value.
 */
export function absQuantile(values, q, offset = null) {
  const n = values.length;
  const tmp = new Float32Array(n);
  let m = 0;
  if (offset) {
    const W = offset.length;
    for (let row = 0; row < n; row += W) {
      for (let w = 0; w < W; w++) {
        const v = values[row + w] + offset[w];
        if (v - v === 0) tmp[m++] = v < 0 ? -v : v; // finite (NaN and ±inf give NaN)
      }
    }
  } else {
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v - v === 0) tmp[m++] = v < 0 ? -v : v;
    }
  }
  if (m === 0) return NaN;
  const k = q * (m - 1);
  const lo = Math.floor(k);
  select(tmp, lo, 0, m - 1);
  const a = tmp[lo];
  if (lo + 1 >= m || k === lo) return a;
  let b = Infinity;
  for (let i = lo + 1; i < m; i++) if (tmp[i] < b) b = tmp[i];
  return a + (k - lo) * (b - a);
}

/** Automatic colour limit: the 99.5th percentile of |values|, never 0 (falls back to 1). */
export function autoVmax(values, offset = null, q = 0.995) {
  const v = absQuantile(values, q, offset);
  return v > 0 && Number.isFinite(v) ? v : 1;
}

/**
 * Fill `pixels` (Uint32Array, ny rows × nx columns, row 0 at the top) from a C-ordered [D, W]
 * map: pixel (r, c) shows map[col[c], row[r]] (+ offset[row[r]] when `offset`, e.g. A0 for
 * A_ex), coloured on ±vmax through the packed LUT (NaN → the NaN colour, ±inf → the end colours).
 */
export function paintMap(pixels, map, W, col, row, offset, vmax, lut32) {
  const nx = col.length, ny = row.length;
  const scale = N_COLORS / (2 * vmax), half = N_COLORS / 2;
  const colOff = new Int32Array(nx);
  for (let i = 0; i < nx; i++) colOff[i] = col[i] * W;
  for (let r = 0, p = 0; r < ny; r++) {
    const wi = row[r], add = offset ? offset[wi] : 0;
    for (let c = 0; c < nx; c++, p++) {
      const v = map[colOff[c] + wi] + add;
      const f = v * scale + half; // clamp before truncating: ±Infinity | 0 would be 0
      pixels[p] = lut32[v !== v ? NAN_INDEX : f < 1 ? 0 : f >= N_COLORS ? N_COLORS - 1 : f | 0];
    }
  }
  return pixels;
}
