// TAView spectrum and kinetics panels: plot layout constants, the cached static layer of each
// panel, and the per-frame drawing (curves, gain shading, cursor line, caption).
//
// createPanels() closes over the view's state object S (data, shape, A0, axes, caches, epoch)
// and its model accessors; it holds no state of its own besides what it writes into S.

import { makeScale, niceDomain, fmt } from "./lib/axis.js";
import { plane, spectrum, trace, plus, finiteRange } from "./lib/decode.js";
import { fit, drawAxes, polyline, legend, padRange, clipTo, vline } from "./lib/draw.js";
import { gainBands } from "./lib/gain.js";

export const MARGIN = { left: 54, right: 8, top: 8, bottom: 32 };
export const PANEL_HEIGHT = 200;
export const PANEL_TOP = 22; // room for the legend above the plot
export const LABEL = { dA: "ΔA", A_ex: "A_ex" };

/** Plot box (CSS px) inside a canvas of w × h, with the shared margins. */
export function layout(w, h, top = MARGIN.top) {
  return { x0: MARGIN.left, x1: w - MARGIN.right, y0: top, y1: h - MARGIN.bottom };
}

/**
 * The panel drawers of one view, given the state S, the model, the two panel canvases and
 * the accessors pump(), delayKind(), linthresh() and cursor() (the hovered or settled indices).
 */
export function createPanels({ S, model, specCanvas, kinCanvas, pump, delayKind, linthresh, cursor }) {
  const D = () => S.shape[1], W = () => S.shape[2];

  /** y range of the spectrum panel: ΔA, A0 and A_ex over every delay of the pump (fixed while scrubbing). */
  function spectrumRange() {
    const key = `s${pump()}`;
    if (!S.rangeCache.has(key)) {
      const m = plane(S.data, S.shape, pump()), a0 = S.a0, Wn = W();
      let lo = Infinity, hi = -Infinity;
      for (let row = 0; row < m.length; row += Wn) {
        for (let w = 0; w < Wn; w++) {
          const v = m[row + w];
          if (v - v !== 0) continue; // NaN or ±inf
          if (v < lo) lo = v;
          if (v > hi) hi = v;
          if (a0) {
            const e = v + a0[w];
            if (e < lo) lo = e;
            if (e > hi) hi = e;
          }
        }
      }
      const r0 = a0 ? finiteRange(a0) : null;
      if (r0) { lo = Math.min(lo, r0[0]); hi = Math.max(hi, r0[1]); }
      S.rangeCache.set(key, padRange(lo <= hi ? [lo, hi] : null));
    }
    return S.rangeCache.get(key);
  }

  /**
   * The static part of a panel, painted once into an offscreen canvas and reused while `key`
   * (data epoch, size, ranges...) is unchanged: scrub frames then only blit it and draw lines.
   */
  function layer(slot, canvas, dpr, key, paint) {
    const full = `${key}|${canvas.width}x${canvas.height}|${S.epoch}`;
    if (!slot.canvas) slot.canvas = document.createElement("canvas");
    if (slot.key !== full) {
      slot.canvas.width = canvas.width;
      slot.canvas.height = canvas.height;
      const c = slot.canvas.getContext("2d");
      c.setTransform(dpr, 0, 0, dpr, 0, 0);
      paint(c);
      slot.key = full;
    }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(slot.canvas, 0, 0);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  }

  function drawSpectrum(d) {
    const { ctx, w, h, dpr } = fit(specCanvas, PANEL_HEIGHT, 320);
    const box = layout(w, h, PANEL_TOP);
    const x = makeScale({ domain: [S.wl[0], S.wl[W() - 1]], range: [box.x0, box.x1] });
    const y = makeScale({ domain: spectrumRange(), range: [box.y1, box.y0] });
    const C = S.theme;
    // static: frame, axes, legend, A0, zero line (per pump: the y range covers every delay)
    layer(S.specLayer, specCanvas, dpr, `${pump()}`, (c) => {
      c.fillStyle = C.bg; c.fillRect(0, 0, w, h);
      drawAxes(c, x, y, box, { xlabel: "wavelength (nm)", ylabel: "OD", color: C.fg });
      legend(c, box, S.a0 ? [["ΔA", C.dA], ["A0", C.A0], ["A_ex", C.A_ex], ["gain", C.gainKey]] : [["ΔA", C.dA]], C.fg);
      c.save(); clipTo(c, box);
      c.strokeStyle = C.zero; c.beginPath(); c.moveTo(box.x0, y.map(0)); c.lineTo(box.x1, y.map(0)); c.stroke();
      if (S.a0) polyline(c, S.wl, S.a0, x, y, C.A0, 1.2, [5, 3]);
      c.restore();
    });
    const dA = spectrum(S.data, S.shape, pump(), d);
    const aex = S.a0 ? plus(dA, S.a0) : null;
    ctx.save(); clipTo(ctx, box);
    if (aex) {
      // gain: A_ex < −k·σ (the rule of core.gain.gain_spectrum), edges interpolated
      ctx.fillStyle = C.gain;
      for (const [lo, hi] of gainBands(S.wl, aex, noiseRow(), S.gainK)) {
        const a = x.map(lo), b = x.map(hi);
        ctx.fillRect(a, box.y0, Math.max(b - a, 1), box.y1 - box.y0);
      }
    }
    polyline(ctx, S.wl, dA, x, y, C.dA);
    if (aex) polyline(ctx, S.wl, aex, x, y, C.A_ex, 1.8);
    vline(ctx, x.map(S.wl[cursor().w]), box, C.cursor);
    ctx.restore();
    ctx.fillStyle = C.fg; ctx.font = "11px system-ui, sans-serif"; ctx.textAlign = "right"; ctx.textBaseline = "middle";
    ctx.fillText(`at ${fmt(S.delays[d], 3)} ps`, box.x1, box.y0 - 9);
  }

  /** σ (OD) per wavelength of the shown pump level, or null when the view has no noise. */
  function noiseRow() {
    if (!S.noise || S.noise.length !== S.shape[0] * W()) return null;
    return S.noise.subarray(pump() * W(), (pump() + 1) * W());
  }

  function drawKinetics(d, wi) {
    const { ctx, w, h, dpr } = fit(kinCanvas, PANEL_HEIGHT, 320);
    const box = layout(w, h, PANEL_TOP);
    const x = makeScale({ domain: [S.delays[0], S.delays[D() - 1]], range: [box.x0, box.x1], kind: delayKind(), linthresh: linthresh() });
    const crossings = model.get("crossings") ?? [];
    const dA = trace(S.data, S.shape, pump(), wi);
    const aex = S.a0 ? plus(dA, S.a0[wi]) : null;
    // y limits rounded out to whole tick steps: neighbouring wavelengths share the axes, so
    // hovering reuses the cached layer (and the axes do not jitter)
    const domain = niceDomain(padRange(finiteRange(dA, aex)));
    const y = makeScale({ domain, range: [box.y1, box.y0] });
    const C = S.theme;
    layer(S.kinLayer, kinCanvas, dpr, `${pump()}|${domain}|${JSON.stringify(crossings)}`, (c) => {
      c.fillStyle = C.bg; c.fillRect(0, 0, w, h);
      drawAxes(c, x, y, box, { xlabel: "delay (ps)", ylabel: "OD", color: C.fg });
      legend(c, box, S.a0 ? [["ΔA", C.dA], ["A_ex", C.A_ex], ["zero crossing", C.crossing]] : [["ΔA", C.dA]], C.fg);
      c.save(); clipTo(c, box);
      c.strokeStyle = C.zero; c.beginPath(); c.moveTo(box.x0, y.map(0)); c.lineTo(box.x1, y.map(0)); c.stroke();
      // zero crossings (one per pump level, computed in Python); the current pump's is bold
      const labels = model.get("pump_labels") ?? [];
      c.textAlign = "left";
      crossings.forEach((t, i) => {
        if (t === null || t === undefined || !Number.isFinite(+t)) return;
        const mx = x.map(+t), my = y.map(0), cur = i === pump();
        c.fillStyle = C.crossing;
        c.globalAlpha = cur ? 1 : 0.4;
        c.beginPath(); c.arc(mx, my, cur ? 5 : 3.5, 0, 2 * Math.PI); c.fill();
        c.globalAlpha = 1;
        if (cur) { c.font = "11px system-ui, sans-serif"; c.fillText(`${fmt(+t, 3)} ps`, mx + 6, my - 8); }
        else if (labels[i]) { c.font = "10px system-ui, sans-serif"; c.fillText(labels[i], mx + 4, my + 12); }
      });
      c.restore();
    });
    ctx.save(); clipTo(ctx, box);
    polyline(ctx, S.delays, dA, x, y, C.dA);
    if (aex) polyline(ctx, S.delays, aex, x, y, C.A_ex, 1.8);
    vline(ctx, x.map(S.delays[d]), box, C.cursor);
    ctx.restore();
    ctx.fillStyle = C.fg; ctx.font = "11px system-ui, sans-serif"; ctx.textAlign = "right"; ctx.textBaseline = "middle";
    ctx.fillText(`at ${fmt(S.wl[wi], 4)} nm`, box.x1, box.y0 - 9);
  }

  return { drawSpectrum, drawKinetics, noiseRow };
}
