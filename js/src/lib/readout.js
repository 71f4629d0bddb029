// The bold readout while the user scrubs: Python writes the line for the settled cursor
// ("A_ex(639 nm) crosses zero at 2.31 ± 0.05 ps (⟨N⟩ ≈ 1.2) · at 2.3 ps: A_ex = −0.0012 OD,
// gain 630–652 nm"); between settles the part after " · " is recomputed here for the cursor
// shown, with Python's number formats, so the line never lags behind the panels.

import { gainBands, widest } from "./gain.js";

/** Python's format(v, f".{p}g"). */
export function pyG(v, p) {
  if (v !== v) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (v === 0) return "0";
  const [mant, ex] = v.toExponential(p - 1).split("e");
  const e = +ex;
  if (e < -4 || e >= p) {
    const m = mant.includes(".") ? mant.replace(/\.?0+$/, "") : mant;
    return `${m}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  }
  return String(Number(v.toPrecision(p)));
}

/** Python's format(v, "+.4f"). */
export function signed4(v) {
  const s = v.toFixed(4);
  return s.startsWith("-") ? s : `+${s}`;
}

/**
 * The readout for a cursor that is not the settled one.
 * `spectrum`: A_ex over wavelength at the cursor's delay (null without A0); `noise`: σ per
 * wavelength (or null) and `k`: the gain threshold; `dA`: ΔA at the cursor.
 */
export function readoutWhileScrubbing({ settled, delay, wavelength, settledWavelength, dA, a0, spectrum, wl, noise, k }) {
  if (!spectrum) return `ΔA(${pyG(wavelength, 4)} nm) = ${signed4(dA)} OD at ${pyG(delay, 3)} ps · A_ex needs A0`;
  const head = String(settled || "").split(" · ")[0];
  const i = wl.indexOf(wavelength);
  const value = i >= 0 ? spectrum[i] : dA + (a0 ? a0[0] : 0);
  const name = wavelength === settledWavelength ? "A_ex" : `A_ex(${pyG(wavelength, 4)} nm)`;
  let tail = ` · at ${pyG(delay, 3)} ps: ${name} = ${signed4(value)} OD`;
  const band = widest(gainBands(wl, spectrum, noise, k));
  if (band) tail += `, gain ${band[0].toFixed(0)}–${band[1].toFixed(0)} nm`;
  return head + tail;
}
