// Canvas 2D drawing helpers shared by the TAView panels: DOM element creation, DPR-aware canvas
// sizing, axes with ticks, polylines with NaN gaps, legends, padded ranges, clipping, cursors.

import { fmt } from "./axis.js";

export function el(tag, cls, attrs = {}) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

/** Size a canvas to its CSS box × devicePixelRatio; returns {ctx, w, h (CSS px), dpr}. */
export function fit(canvas, cssHeight, fallbackWidth) {
  const dpr = window.devicePixelRatio || 1;
  canvas.style.height = `${cssHeight}px`;
  const w = canvas.clientWidth || fallbackWidth;
  const W = Math.max(1, Math.round(w * dpr)), H = Math.max(1, Math.round(cssHeight * dpr));
  if (canvas.width !== W) canvas.width = W;
  if (canvas.height !== H) canvas.height = H;
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return { ctx, w, h: cssHeight, dpr };
}

export function drawAxes(ctx, x, y, box, { xlabel, ylabel, color = "#333" }) {
  ctx.save();
  ctx.strokeStyle = color;
  ctx.fillStyle = color;
  ctx.lineWidth = 1;
  ctx.strokeRect(box.x0 + 0.5, box.y0 + 0.5, box.x1 - box.x0 - 1, box.y1 - box.y0 - 1);
  ctx.font = "11px system-ui, sans-serif";
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (const t of x.ticks(6)) {
    const px = Math.round(x.map(t)) + 0.5;
    if (px < box.x0 - 1 || px > box.x1 + 1) continue;
    ctx.beginPath(); ctx.moveTo(px, box.y1); ctx.lineTo(px, box.y1 + 4); ctx.stroke();
    ctx.fillText(fmt(t), px, box.y1 + 5);
  }
  ctx.fillText(xlabel, (box.x0 + box.x1) / 2, box.y1 + 17);
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const t of y.ticks(5)) {
    const py = Math.round(y.map(t)) + 0.5;
    if (py < box.y0 - 1 || py > box.y1 + 1) continue;
    ctx.beginPath(); ctx.moveTo(box.x0 - 4, py); ctx.lineTo(box.x0, py); ctx.stroke();
    ctx.fillText(fmt(t), box.x0 - 6, py);
  }
  ctx.translate(11, (box.y0 + box.y1) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = "center";
  ctx.fillText(ylabel, 0, 0);
  ctx.restore();
}

export function polyline(ctx, xs, ys, xScale, yScale, color, width = 1.5, dash = []) {
  ctx.save();
  ctx.strokeStyle = color;
  ctx.lineWidth = width;
  ctx.setLineDash(dash);
  ctx.beginPath();
  let pen = false;
  for (let i = 0; i < xs.length; i++) {
    const v = ys[i];
    if (v !== v) { pen = false; continue; }
    const px = xScale.map(xs[i]), py = yScale.map(v);
    if (pen) ctx.lineTo(px, py); else ctx.moveTo(px, py);
    pen = true;
  }
  ctx.stroke();
  ctx.restore();
}

export function legend(ctx, box, items, textColor = "#222") {
  ctx.save();
  ctx.font = "11px system-ui, sans-serif";
  ctx.textBaseline = "middle";
  let x = box.x0 + 8;
  for (const [label, color] of items) {
    ctx.fillStyle = color;
    ctx.fillRect(x, box.y0 - 11, 12, 3);
    ctx.fillStyle = textColor;
    ctx.textAlign = "left";
    ctx.fillText(label, x + 15, box.y0 - 9);
    x += 22 + ctx.measureText(label).width;
  }
  ctx.restore();
}

/** [lo, hi] widened to include 0 and padded by `frac` of the span; [-1, 1] for null. */
export function padRange(r, frac = 0.06) {
  if (!r) return [-1, 1];
  let [lo, hi] = r;
  lo = Math.min(lo, 0); hi = Math.max(hi, 0);
  const pad = (hi - lo || 1) * frac;
  return [lo - pad, hi + pad];
}

/** Clip to the plot box. */
export function clipTo(ctx, box) {
  ctx.beginPath(); ctx.rect(box.x0, box.y0, box.x1 - box.x0, box.y1 - box.y0); ctx.clip();
}

/** A dashed vertical cursor line at px across the box. */
export function vline(ctx, px, box, color) {
  ctx.strokeStyle = color; ctx.setLineDash([3, 3]);
  ctx.beginPath(); ctx.moveTo(px, box.y0); ctx.lineTo(px, box.y1); ctx.stroke();
  ctx.setLineDash([]);
}
