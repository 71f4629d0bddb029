// TAView spectrum and kinetics panels: plot layout constants, the cached static layer of each
// panel, and the per-frame drawing (curves, gain shading, cursor line, caption).
//
// createPanels() closes over the view's state object S (data, shape, A0, axes, caches, epoch)
// and its model accessors; it holds no state of its own besides what it writes into S.

import { makeScale, niceDomain, fmt } from "./lib/axis.js";
import { plane, spectrum, trace, plus, finiteRange } from "./lib/decode.js";
import { fit, drawAxes, polyline, legend, padRange, clipTo, vline } from "./lib/draw.js";

export const MARGIN = { left: 54, right: 8, top: 8, bottom: 32 };
export const PANEL_HEIGHT = 200;
export const PANEL_TOP = 22; // room for the legend above the plot
export const COLORS = { dA: "#1f77b4", A0: "#7f7f7f", A_ex: "#111111", gain: "rgba(0,150,70,0.16)", cursor: "#e07b00" };
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
    // static: frame, axes, legend, A0, zero line (per pump: the y range covers every delay)
    layer(S.specLayer, specCanvas, dpr, `${pump()}`, (c) => {
      c.fillStyle = "#fff"; c.fillRect(0, 0, w, h);
      drawAxes(c, x, y, box, { xlabel: "wavelength (nm)", ylabel: "OD" });
      legend(c, box, S.a0 ? [["ΔA", COLORS.dA], ["A0", COLORS.A0], ["A_ex", COLORS.A_ex], ["gain", "rgba(0,150,70,0.5)"]] : [["ΔA", COLORS.dA]]);
      c.save(); clipTo(c, box);
      c.strokeStyle = "#999"; c.beginPath(); c.moveTo(box.x0, y.map(0)); c.lineTo(box.x1, y.map(0)); c.stroke();
      if (S.a0) polyline(c, S.wl, S.a0, x, y, COLORS.A0, 1.2, [5, 3]);
      c.restore();
    });
    const dA = spectrum(S.data, S.shape, pump(), d);
    const aex = S.a0 ? plus(dA, S.a0) : null;
    ctx.save(); clipTo(ctx, box);
    if (aex) {
      // gain region: A_ex < 0, shaded between the midpoints of neighbouring wavelengths
      ctx.fillStyle = COLORS.gain;
      const n = S.wl.length, mid = (i) => (i <= 0 ? S.wl[0] : i >= n ? S.wl[n - 1] : (S.wl[i - 1] + S.wl[i]) / 2);
      for (let i = 0; i < n; i++) {
        if (!(aex[i] < 0)) continue;
        let j = i;
        while (j + 1 < n && aex[j + 1] < 0) j++;
        const a = x.map(mid(i)), b = x.map(mid(j + 1));
        ctx.fillRect(a, box.y0, Math.max(b - a, 1), box.y1 - box.y0);
        i = j;
      }
    }
    polyline(ctx, S.wl, dA, x, y, COLORS.dA);
    if (aex) polyline(ctx, S.wl, aex, x, y, COLORS.A_ex, 1.8);
    vline(ctx, x.map(S.wl[cursor().w]), box, COLORS.cursor);
    ctx.restore();
    ctx.fillStyle = "#333"; ctx.font = "11px system-ui, sans-serif"; ctx.textAlign = "right"; ctx.textBaseline = "middle";
    ctx.fillText(`at ${fmt(S.delays[d], 4)} ps`, box.x1, box.y0 - 9);
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
    layer(S.kinLayer, kinCanvas, dpr, `${pump()}|${domain}|${JSON.stringify(crossings)}`, (c) => {
      c.fillStyle = "#fff"; c.fillRect(0, 0, w, h);
      drawAxes(c, x, y, box, { xlabel: "delay (ps)", ylabel: "OD" });
      legend(c, box, S.a0 ? [["ΔA", COLORS.dA], ["A_ex", COLORS.A_ex], ["zero crossing", "#d62728"]] : [["ΔA", COLORS.dA]]);
      c.save(); clipTo(c, box);
      c.strokeStyle = "#999"; c.beginPath(); c.moveTo(box.x0, y.map(0)); c.lineTo(box.x1, y.map(0)); c.stroke();
      // zero crossings (one per pump level, computed in Python); the current pump's is bold
      const labels = model.get("pump_labels") ?? [];
      c.textAlign = "left";
      crossings.forEach((t, i) => {
        if (t === null || t === undefined || !Number.isFinite(+t)) return;
        const mx = x.map(+t), my = y.map(0), cur = i === pump();
        c.fillStyle = cur ? "#d62728" : "rgba(214,39,40,0.35)";
        c.beginPath(); c.arc(mx, my, cur ? 5 : 3.5, 0, 2 * Math.PI); c.fill();
        if (cur) { c.font = "11px system-ui, sans-serif"; c.fillText(`${fmt(+t, 3)} ps`, mx + 6, my - 8); }
        else if (labels[i]) { c.font = "10px system-ui, sans-serif"; c.fillText(labels[i], mx + 4, my + 12); }
      });
      c.restore();
    });
    ctx.save(); clipTo(ctx, box);
    polyline(ctx, S.delays, dA, x, y, COLORS.dA);
    if (aex) polyline(ctx, S.delays, aex, x, y, COLORS.A_ex, 1.8);
    vline(ctx, x.map(S.delays[d]), box, COLORS.cursor);
    ctx.restore();
    ctx.fillStyle = "#333"; ctx.font = "11px system-ui, sans-serif"; ctx.textAlign = "right"; ctx.textBaseline = "middle";
    ctx.fillText(`at ${fmt(S.wl[wi], 4)} nm`, box.x1, box.y0 - 9);
  }

  return { drawSpectrum, drawKinetics };
}
