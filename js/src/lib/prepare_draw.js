// Prepare's canvas drawing: a cleared frame with its plot box, a map image into the box, the
// t0(λ) curve and its points, the crop and mask shading, the spectra legend, the colour bar and
// the scan thumbnails. Functions of their arguments only (no model, no widget state).

import { paintMap, colorIndex, autoVmax } from "./colormap.js";
import { makeScale, indexMap, fmt } from "./axis.js";
import { fit, clipTo } from "./draw.js";

export const M = { left: 54, right: 10, top: 22, bottom: 32 };
const MASK_FILL = "rgba(128,128,128,0.55)"; // visible on white and on the dark centre colour

/** Size `canvas` (CSS height h), clear it to the theme's background; the plot box in CSS px. */
export function frame(canvas, h, theme) {
  const { ctx, w, dpr } = fit(canvas, h, 400);
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.fillStyle = theme.bg;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return { ctx, w, h, dpr, box: { x0: M.left, x1: w - M.right, y0: M.top, y1: h - M.bottom } };
}

/** The colour image of a C-ordered [D, W] map into the plot box at device resolution; reuses
 * `reuse` (ImageData) when its size fits. Returns the ImageData. */
export function paintImage(ctx, { map, W, delays, wl, x, y, box, dpr, vmax, lut32, reuse }) {
  const X0 = Math.round(box.x0 * dpr), Y0 = Math.round(box.y0 * dpr);
  const nx = Math.max(Math.round(box.x1 * dpr) - X0, 1), ny = Math.max(Math.round(box.y1 * dpr) - Y0, 1);
  const xd = makeScale({ domain: x.domain, range: [0, nx], kind: x.kind, linthresh: x.linthresh });
  const yd = makeScale({ domain: y.domain, range: [ny, 0] });
  const img = reuse && reuse.width === nx && reuse.height === ny ? reuse : ctx.createImageData(nx, ny);
  paintMap(new Uint32Array(img.data.buffer), map, W, indexMap(xd, delays, nx), indexMap(yd, wl, ny), null, vmax, lut32);
  ctx.putImageData(img, X0, Y0);
  return img;
}

/** A bold title above the plot box. */
export function title(ctx, box, text, theme) {
  ctx.fillStyle = theme.fg;
  ctx.font = "600 11px system-ui, sans-serif";
  ctx.textAlign = "left";
  ctx.textBaseline = "alphabetic";
  ctx.fillText(text, box.x0, box.y0 - 7);
}

/** The t0(λ) curve (x = t0, y = λ) and the points [[λ, t0], …]; `drag` is the held point. */
export function drawCurve(ctx, { x, y, box, wl, t0, points, drag, theme }) {
  const ink = theme.dark ? "#ffffff" : "#111111";
  ctx.save();
  clipTo(ctx, box);
  ctx.strokeStyle = ink;
  ctx.lineWidth = 2;
  ctx.beginPath();
  let pen = false;
  for (let i = 0; i < wl.length; i++) {
    const t = t0[i];
    if (t !== t) { pen = false; continue; }
    if (pen) ctx.lineTo(x.map(t), y.map(wl[i])); else ctx.moveTo(x.map(t), y.map(wl[i]));
    pen = true;
  }
  ctx.stroke();
  ctx.restore();
  points.forEach((p, i) => { // outside the clip: a point at the edge stays whole and grabbable
    ctx.beginPath();
    ctx.arc(x.map(p[1]), y.map(p[0]), i === drag ? 6.5 : 5, 0, 2 * Math.PI);
    ctx.fillStyle = i === drag ? theme.cursor : theme.dark ? "#111" : "#fff";
    ctx.fill();
    ctx.lineWidth = 2;
    ctx.strokeStyle = i === drag ? ink : theme.cursor;
    ctx.stroke();
  });
}

/** Masked bands (λ on y) shaded across the map, and the crop: outside it dimmed, its edge drawn.
 * `crop` is a pixel rectangle {x0, y0, x1, y1} or null. */
export function shadeMap(ctx, { y, box, bands, crop, theme }) {
  ctx.save();
  clipTo(ctx, box);
  ctx.fillStyle = MASK_FILL;
  for (const [a, b] of bands) ctx.fillRect(box.x0, y.map(b), box.x1 - box.x0, y.map(a) - y.map(b));
  if (crop) {
    const { x0, y0, x1, y1 } = crop;
    ctx.fillStyle = theme.dark ? "rgba(0,0,0,0.6)" : "rgba(255,255,255,0.65)";
    ctx.beginPath();
    ctx.rect(box.x0, box.y0, box.x1 - box.x0, box.y1 - box.y0);
    ctx.rect(x1, y0, x0 - x1, y1 - y0); // the other way round: a hole
    ctx.fill("evenodd");
    ctx.strokeStyle = theme.cursor;
    ctx.lineWidth = 1.5;
    ctx.strokeRect(x0, y0, x1 - x0, y1 - y0);
  }
  ctx.restore();
}

/** Masked bands (λ on x) shaded over the spectrum panel, and the band being brushed. */
export function shadeSpectrum(ctx, { x, box, bands, brush, theme }) {
  ctx.save();
  clipTo(ctx, box);
  ctx.fillStyle = MASK_FILL;
  for (const [a, b] of bands) ctx.fillRect(x.map(a), box.y0, x.map(b) - x.map(a), box.y1 - box.y0);
  if (brush) {
    ctx.fillStyle = theme.dark ? "rgba(255,170,60,0.35)" : "rgba(224,123,0,0.3)";
    ctx.fillRect(Math.min(brush[0], brush[1]), box.y0, Math.abs(brush[1] - brush[0]), box.y1 - box.y0);
  }
  ctx.restore();
}

/** The legend line above the spectrum panel: coloured keys with their delays, a hint at right. */
export function spectrumLegend(ctx, box, items, theme) {
  ctx.font = "11px system-ui, sans-serif";
  ctx.textBaseline = "alphabetic";
  ctx.textAlign = "left";
  ctx.fillStyle = theme.fg;
  ctx.fillText("corrected spectra at", box.x0, box.y0 - 7);
  let lx = box.x0 + ctx.measureText("corrected spectra at ").width;
  for (const [label, color] of items) {
    ctx.fillStyle = color;
    ctx.fillRect(lx, box.y0 - 12, 12, 3);
    ctx.fillStyle = theme.fg;
    ctx.fillText(label, lx + 15, box.y0 - 7);
    lx += 24 + ctx.measureText(label).width;
  }
  ctx.fillStyle = theme.fg2;
  ctx.textAlign = "right";
  ctx.fillText("drag: mask a band · double-click a band: unmask", box.x1, box.y0 - 7);
}

/** A vertical colour bar ±vmax (OD) in a canvas of CSS height h. */
export function drawColorbar(canvas, h, vmax, lut, theme) {
  const { ctx } = fit(canvas, h, 56);
  ctx.fillStyle = theme.bg;
  ctx.fillRect(0, 0, 56, h);
  const y0 = M.top, y1 = h - M.bottom, bw = 14;
  for (let py = y0; py < y1; py++) {
    const k = colorIndex(vmax * (1 - (2 * (py - y0 + 0.5)) / (y1 - y0)), vmax) * 4;
    ctx.fillStyle = `rgb(${lut[k]},${lut[k + 1]},${lut[k + 2]})`;
    ctx.fillRect(4, py, bw, 1);
  }
  ctx.strokeStyle = theme.fg;
  ctx.strokeRect(4.5, y0 + 0.5, bw - 1, y1 - y0 - 1);
  ctx.fillStyle = theme.fg;
  ctx.font = "10px system-ui, sans-serif";
  ctx.textBaseline = "middle";
  ctx.textAlign = "left";
  for (const [v, py] of [[vmax, y0 + 4], [0, (y0 + y1) / 2], [-vmax, y1 - 4]]) ctx.fillText(fmt(v, 2), 4 + bw + 3, py);
  ctx.fillText("ΔA (OD)", 2, y1 + 14);
}

/** A scan's thumbnail: `m` [h delays, w wavelengths] painted delay → x, wavelength → up. */
export function paintThumb(canvas, m, h, w, lut32) {
  const vm = autoVmax(m);
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(h, w);
  const px = new Uint32Array(img.data.buffer);
  for (let r = 0; r < w; r++) for (let d = 0; d < h; d++) px[r * h + d] = lut32[colorIndex(m[d * w + (w - 1 - r)], vm)];
  ctx.putImageData(img, 0, 0);
}
