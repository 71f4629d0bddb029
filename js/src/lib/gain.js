// Gain regions of one A_ex spectrum: where A_ex < −k·σ (σ: the noise of ΔA per wavelength), the
// rule of qdwidgets.core.gain.gain_bands; edges linearly interpolated to the threshold.

/**
 * [[lo, hi], ...] (nm) of each run where y[i] + k·noise[i] < 0. `noise` may be null (threshold 0).
 * Inner edges are interpolated; a run touching an end of the grid ends at that grid value.
 * Two runs split by a gap under two grid steps (one noisy sample) are one band.
 */
export function gainBands(wl, y, noise = null, k = 0) {
  const n = wl.length, out = [], gap = 2 * medianStep(wl);
  const z = (i) => y[i] + (noise ? k * noise[i] : 0);
  const cross = (i) => { const a = z(i), b = z(i + 1); return wl[i] + (wl[i + 1] - wl[i]) * a / (a - b); };
  for (let i = 0; i < n; i++) {
    if (!(z(i) < 0)) continue;
    let j = i;
    while (j + 1 < n && z(j + 1) < 0) j++;
    const band = [i === 0 ? wl[0] : cross(i - 1), j === n - 1 ? wl[n - 1] : cross(j)];
    const last = out[out.length - 1];
    if (last && band[0] - last[1] < gap) last[1] = band[1]; // one noisy sample splits no band
    else out.push(band);
    i = j;
  }
  return out;
}

/** Median spacing of a grid (cached per grid array: it is asked for every scrub frame). */
const steps = new WeakMap();
function medianStep(wl) {
  if (wl.length < 2) return 0;
  if (steps.has(wl)) return steps.get(wl);
  const s = median(wl);
  steps.set(wl, s);
  return s;
}

function median(wl) {
  const d = Array.from({ length: wl.length - 1 }, (_, i) => wl[i + 1] - wl[i]).sort((a, b) => a - b);
  const m = d.length >> 1;
  return d.length % 2 ? d[m] : (d[m - 1] + d[m]) / 2;
}

/** The widest band, or null. */
export function widest(bands) {
  let best = null;
  for (const b of bands) if (!best || b[1] - b[0] > best[1] - best[0]) best = b;
  return best;
}
