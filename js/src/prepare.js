// Prepare: the measured map near time zero with the t0(λ) curve (drag, add, remove points), the
// chirp-corrected map redrawn live while a point moves (crop brush), the corrected spectra (mask
// brush), toggles, undo/redo and the scans list. Only settled values go to Python: a drag or a
// brush writes its setting once, when it ends. Colours: RdBu_r, blue negative, red positive.

import { buildLut, packLut, autoVmax, NAN_INDEX } from "./lib/colormap.js";
import { makeScale, niceDomain, nearestIndex, fmt } from "./lib/axis.js";
import { decode, plane, finiteRange } from "./lib/decode.js";
import { el, drawAxes, polyline, clipTo, padRange } from "./lib/draw.js";
import { frame, paintImage, title, drawCurve, shadeMap, shadeSpectrum, spectrumLegend, drawColorbar, paintThumb } from "./lib/prepare_draw.js";
import { readTheme, watchLayout } from "./lib/theme.js";
import { t0Curve, shiftColumns, correctedDelays, sortPoints, hitPoint, addBand, bandAt } from "./lib/chirp.js";
import { buildDom } from "./lib/prepare_dom.js";

const SPEC_H = 170;
const NAN_DARK = [78, 78, 78, 255];
const SPEC_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c"];
const SPEC_COLORS_DARK = ["#5fa8e8", "#ffa64d", "#6fd46f"];

function render({ model, el: host }) {
  const abort = new AbortController();
  const on = (node, type, fn) => node.addEventListener(type, fn, { signal: abort.signal });
  const handlers = [];
  const listen = (names, fn) => { for (const n of names.split(" ")) { model.on(`change:${n}`, fn); handlers.push([`change:${n}`, fn]); } };
  const N = buildDom(host);
  const S = {
    data: new Float32Array(0), shape: [0, 0, 0], delays: new Float64Array(0), wl: new Float64Array(0),
    points: [], t0: new Float64Array(0), corr: new Float32Array(0), drag: -1, brush: null, vmax: 1,
    lut: null, lut32: null, theme: readTheme(host), geo: {}, leftLayer: null, leftKey: "", window: [0, 1],
    img: null, specTimes: [], grid: new Float64Array(0), times: [], raf: 0,
  };
  const D = () => S.shape[1], W = () => S.shape[2];
  const pump = () => Math.min(Math.max(model.get("pump_index") | 0, 0), Math.max(S.shape[0] - 1, 0));
  const hasData = () => D() > 1 && W() > 0;
  const height = () => Math.max(+model.get("height") || 300, 80);
  const centre = () => +model.get("chirp_center");

  // ---- data ------------------------------------------------------------------------------------
  function loadData() {
    let dA;
    try { dA = decode(model.get("dA")); } catch (err) { console.error("Prepare dA:", err); dA = { data: new Float32Array(0), shape: [0, 0, 0] }; }
    S.data = dA.data;
    S.shape = dA.shape.length === 3 ? dA.shape : [0, 0, 0];
    S.delays = Float64Array.from(model.get("delays") ?? []);
    S.wl = Float64Array.from(model.get("wavelengths") ?? []);
    if (S.delays.length !== D() || S.wl.length !== W()) S.shape = [0, 0, 0];
    S.t0 = new Float64Array(W());
    const labels = model.get("pump_labels") ?? [];
    N.pumpSel.replaceChildren(...Array.from({ length: Math.max(S.shape[0], 1) }, (_, i) => {
      const o = el("option", "", { value: String(i) });
      o.textContent = labels[i] ?? `pump ${i}`;
      return o;
    }));
    N.pumpSel.style.display = S.shape[0] > 1 ? "" : "none"; // a menu only with several levels
    pickSpectra();
    loadPoints(true);
  }

  /** The points from the model; the delay window of the t0 map is set from the curve and its
   * points at the first load, and widened only when a point leaves it (the view stays put). */
  function loadPoints(fresh = false) {
    S.points = sortPoints(model.get("chirp_points") ?? []);
    curve();
    if (!hasData()) return;
    const ts = S.points.map((p) => p[1]);
    if (!fresh && ts.every((t) => t >= S.window[0] && t <= S.window[1])) return;
    let lo = Infinity, hi = -Infinity;
    for (const v of [...S.t0, ...ts]) if (v === v) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    if (!(lo <= hi)) { lo = 0; hi = 0; }
    const pad = Math.max(1.5, 0.6 * (hi - lo));
    const d0 = S.delays[0], d1 = S.delays[D() - 1];
    S.window = [Math.max(d0, lo - pad), Math.min(d1, hi + 2 * pad)];
    if (!(S.window[1] > S.window[0])) S.window = [d0, d1];
  }

  function curve() {
    if (S.t0.length !== W()) S.t0 = new Float64Array(W());
    t0Curve(S.points, +model.get("chirp_order"), centre(), S.wl, S.t0);
  }

  /** Three delays (ps) for the spectra, spread in log over the positive delays of the data. */
  function pickSpectra() {
    const pos = Array.from(S.delays).filter((t) => t > 0);
    if (!pos.length) { S.specTimes = hasData() ? [S.delays[Math.floor(D() / 2)]] : []; return; }
    const a = Math.log(pos[0]), b = Math.log(pos[pos.length - 1]);
    S.specTimes = [...new Set([0.15, 0.45, 0.8].map((f) => pos[nearestIndex(pos, Math.exp(a + f * (b - a)))]))];
  }

  // ---- drawing -------------------------------------------------------------------------------
  function theme() {
    S.theme = readTheme(host);
    N.root.classList.toggle("qd-dark", S.theme.dark);
    S.lut = buildLut(S.theme.colormap);
    if (S.theme.dark) S.lut.set(NAN_DARK, NAN_INDEX * 4); // no measurement: a muted grey, not a glare
    S.lut32 = packLut(S.lut);
    S.vmax = hasData() ? autoVmax(plane(S.data, S.shape, pump())) : 1;
    S.leftKey = "";
  }

  const geoOf = (canvas, box) => { canvas.dataset.plotBox = [box.x0, box.y0, box.x1, box.y1].join(","); };
  const wlScale = (box) => makeScale({ domain: [S.wl[0], S.wl[W() - 1]], range: [box.y1, box.y0] });
  const image = (ctx, map, delays, x, y, box, dpr, reuse) => paintImage(ctx, { map, W: W(), delays, wl: S.wl, x, y, box, dpr, vmax: S.vmax, lut32: S.lut32, reuse });

  function drawLeft() {
    const { ctx, box, dpr } = frame(N.chirpMap, height(), S.theme);
    const x = makeScale({ domain: S.window, range: [box.x0, box.x1] }), y = wlScale(box);
    S.geo.left = { x, y, box };
    geoOf(N.chirpMap, box);
    N.chirpMap.dataset.window = S.window.join(",");
    if (!hasData()) return;
    const key = `${pump()}|${S.window}|${N.chirpMap.width}x${N.chirpMap.height}|${S.epoch}`;
    if (key !== S.leftKey) { // the measured map does not change while a point moves: reuse it
      S.leftLayer = image(ctx, plane(S.data, S.shape, pump()), S.delays, x, y, box, dpr, S.leftLayer);
      S.leftKey = key;
    } else ctx.putImageData(S.leftLayer, Math.round(box.x0 * dpr), Math.round(box.y0 * dpr));
    drawAxes(ctx, x, y, box, { xlabel: "delay (ps), measured", ylabel: "wavelength (nm)", color: S.theme.fg });
    title(ctx, box, "t0(λ): drag the points", S.theme);
    drawCurve(ctx, { x, y, box, wl: S.wl, t0: S.t0, points: S.points, drag: S.drag, theme: S.theme });
  }

  function drawRight() {
    const { ctx, box, dpr } = frame(N.correctedMap, height(), S.theme);
    // the corrected delay axis of the core (every measured delay kept, NaN where a column has
    // no measurement); it moves with the curve while a point is dragged
    S.grid = hasData() ? correctedDelays(S.delays, S.t0) : S.delays;
    const G = S.grid.length, d0 = S.grid[0], d1 = S.grid[G - 1];
    const kind = d1 - d0 > 100 && d1 > 0 ? "symlog" : "linear";
    const x = makeScale({ domain: [d0, d1], range: [box.x0, box.x1], kind, linthresh: 1 }), y = wlScale(box);
    S.geo.right = { x, y, box };
    geoOf(N.correctedMap, box);
    N.correctedMap.dataset.delayAxis = kind;
    N.correctedMap.dataset.delayCount = String(G); // the corrected axis' length, for tests
    if (!hasData()) return;
    if (S.corr.length !== G * W()) S.corr = new Float32Array(G * W());
    shiftColumns(plane(S.data, S.shape, pump()), D(), W(), S.delays, S.t0, S.corr, S.grid);
    S.img = image(ctx, S.corr, S.grid, x, y, box, dpr, S.img);
    drawAxes(ctx, x, y, box, { xlabel: `delay (ps), corrected${kind === "symlog" ? ", symlog" : ""}`, ylabel: "wavelength (nm)", color: S.theme.fg });
    title(ctx, box, "corrected: drag to crop", S.theme);
    const dr = model.get("delay_range") ?? [], wr = model.get("wavelength_range") ?? [];
    const r = S.brush?.kind === "crop" ? S.brush : null;
    const crop = r ? { x0: Math.min(r.x0, r.x1), x1: Math.max(r.x0, r.x1), y0: Math.min(r.y0, r.y1), y1: Math.max(r.y0, r.y1) }
      : dr.length || wr.length ? { x0: dr.length ? x.map(dr[0]) : box.x0, x1: dr.length ? x.map(dr[1]) : box.x1,
        y0: wr.length ? y.map(wr[1]) : box.y0, y1: wr.length ? y.map(wr[0]) : box.y1 } : null;
    shadeMap(ctx, { y, box, bands: model.get("mask_bands") ?? [], crop, theme: S.theme });
  }

  function drawSpectrum() {
    const { ctx, box } = frame(N.spectrum, SPEC_H, S.theme);
    const x = makeScale({ domain: [S.wl[0], S.wl[W() - 1]], range: [box.x0, box.x1] });
    const idx = S.specTimes.map((t) => nearestIndex(S.grid, t));
    const rows = idx.map((d) => S.corr.subarray(d * W(), (d + 1) * W()));
    const y = makeScale({ domain: niceDomain(padRange(hasData() ? finiteRange(...rows) : null)), range: [box.y1, box.y0] });
    S.geo.spec = { x, y, box };
    geoOf(N.spectrum, box);
    if (!hasData()) return;
    const brush = S.brush?.kind === "mask" ? [S.brush.x0, S.brush.x1] : null;
    shadeSpectrum(ctx, { x, box, bands: model.get("mask_bands") ?? [], brush, theme: S.theme });
    drawAxes(ctx, x, y, box, { xlabel: "wavelength (nm)", ylabel: "ΔA (OD)", color: S.theme.fg });
    const colors = S.theme.dark ? SPEC_COLORS_DARK : SPEC_COLORS;
    ctx.save();
    clipTo(ctx, box);
    ctx.strokeStyle = S.theme.zero;
    ctx.beginPath(); ctx.moveTo(box.x0, y.map(0)); ctx.lineTo(box.x1, y.map(0)); ctx.stroke();
    rows.forEach((row, i) => polyline(ctx, S.wl, row, x, y, colors[i % 3], 1.4));
    ctx.restore();
    spectrumLegend(ctx, box, idx.map((d, i) => [`${fmt(S.grid[d], 3)} ps`, colors[i % 3]]), S.theme);
  }

  /** One live frame: the curve, the t0 map's marks, the corrected map and spectra. Timed. */
  function live() {
    const start = performance.now();
    curve();
    drawLeft();
    drawRight();
    drawSpectrum();
    const ms = performance.now() - start;
    S.times.push(ms);
    if (S.times.length > 200) S.times.shift();
    N.root.dataset.redrawMs = ms.toFixed(2);
    N.root.dataset.redrawTimes = S.times.map((t) => t.toFixed(2)).join(",");
  }
  const liveSoon = () => { if (!S.raf) S.raf = requestAnimationFrame(() => { S.raf = 0; live(); }); };

  function redrawAll() {
    S.epoch = (S.epoch | 0) + 1;
    theme();
    live();
    drawColorbar(N.colorbar, height(), S.vmax, S.lut, S.theme);
    buildScans(); // the thumbnails take the theme's colours too
  }

  // ---- controls, bands, scans ----------------------------------------------------------------
  function syncControls() {
    N.pumpSel.value = String(pump());
    N.orderSel.value = String(model.get("chirp_order"));
    N.bgBox.checked = !!model.get("background");
    N.svBox.checked = !!model.get("solvent");
    N.svBox.disabled = !model.get("solvent_available");
    N.svLabel.style.display = model.get("solvent_available") ? "" : "none"; // only with a usable solvent scan
    N.undo.disabled = !model.get("can_undo");
    N.redo.disabled = !model.get("can_redo");
    N.resetCrop.disabled = !(model.get("delay_range") ?? []).length && !(model.get("wavelength_range") ?? []).length;
    N.status.textContent = model.get("status") ?? "";
  }

  function setSetting(name, value) { model.set(name, value); model.save_changes(); }

  function buildBands() {
    const bands = model.get("mask_bands") ?? [];
    N.bands.replaceChildren(...(bands.length ? [] : [Object.assign(el("span", "qd-hint"), { textContent: "no masked band" })]),
      ...bands.map((b, i) => {
        const chip = el("span", "qd-band");
        const x = el("button", "qd-band-remove", { type: "button", title: "unmask this band", "aria-label": `unmask ${fmt(b[0], 4)}–${fmt(b[1], 4)} nm` });
        x.textContent = "×";
        on(x, "click", () => setSetting("mask_bands", bands.filter((_, k) => k !== i)));
        chip.append(`masked ${fmt(b[0], 4)}–${fmt(b[1], 4)} nm`, x);
        return chip;
      }));
  }

  function buildScans() {
    let th;
    try { th = decode(model.get("thumbs")); } catch { th = { data: new Float32Array(0), shape: [0, 0, 0] }; }
    const [n, h, w] = th.shape.length === 3 ? th.shape : [0, 0, 0];
    const labels = model.get("scan_labels") ?? [];
    const rejected = new Set(model.get("rejected") ?? []);
    N.scans.replaceChildren(...Array.from({ length: n }, (_, s) => {
      const item = el("div", "qd-scan");
      item.classList.toggle("qd-rejected", rejected.has(s));
      const c = el("canvas", "qd-thumb", { width: String(h), height: String(w), role: "img", "aria-label": `scan ${s}` });
      paintThumb(c, th.data.subarray(s * h * w, (s + 1) * h * w), h, w, S.lut32);
      const box = el("input", "qd-reject", { type: "checkbox", "data-scan": String(s) });
      box.checked = rejected.has(s);
      on(box, "change", () => {
        const next = new Set(model.get("rejected") ?? []);
        if (box.checked) next.add(s); else next.delete(s);
        setSetting("rejected", [...next].sort((a, b) => a - b));
      });
      const label = el("label");
      label.append(box, `reject ${labels[s] ?? `scan ${s}`}`);
      item.append(c, label);
      return item;
    }));
  }

  // ---- pointer interaction -------------------------------------------------------------------
  const local = (canvas, ev) => { const r = canvas.getBoundingClientRect(); return [ev.clientX - r.left, ev.clientY - r.top]; };
  const inside = (b, px, py) => px >= b.x0 && px <= b.x1 && py >= b.y0 && py <= b.y1;
  const clamp = (v, a, b) => Math.min(Math.max(v, Math.min(a, b)), Math.max(a, b));
  const leftPx = (p) => [S.geo.left.x.map(p[1]), S.geo.left.y.map(p[0])];
  // keep the drag when the pointer leaves the canvas (a synthetic event may have no live pointer)
  const capture = (canvas, ev) => { try { canvas.setPointerCapture(ev.pointerId); } catch { /* no capture */ } };
  const commitPoints = () => setSetting("chirp_points", sortPoints(S.points));

  on(N.chirpMap, "pointerdown", (ev) => {
    if (!hasData() || !S.geo.left) return;
    const [px, py] = local(N.chirpMap, ev);
    const { x, y, box } = S.geo.left;
    const i = hitPoint(S.points, leftPx, px, py);
    if (i >= 0 && ev.altKey) { S.points.splice(i, 1); live(); commitPoints(); return; }
    if (i >= 0) { S.drag = i; capture(N.chirpMap, ev); live(); ev.preventDefault(); return; }
    if (ev.shiftKey && inside(box, px, py)) { S.points.push([y.invert(py), x.invert(px)]); live(); commitPoints(); }
  });
  on(N.chirpMap, "pointermove", (ev) => {
    if (S.drag < 0) return;
    const [px, py] = local(N.chirpMap, ev);
    const { x, y, box } = S.geo.left;
    S.points[S.drag] = [y.invert(clamp(py, box.y0, box.y1)), x.invert(clamp(px, box.x0, box.x1))];
    liveSoon();
  });
  const endDrag = () => {
    if (S.drag < 0) return;
    S.drag = -1;
    live();
    commitPoints();
  };
  on(N.chirpMap, "pointerup", endDrag);
  on(N.chirpMap, "pointercancel", endDrag);
  on(N.chirpMap, "dblclick", (ev) => {
    const [px, py] = local(N.chirpMap, ev);
    const i = S.geo.left ? hitPoint(S.points, leftPx, px, py) : -1;
    if (i >= 0) { S.points.splice(i, 1); live(); commitPoints(); }
  });

  function brushStart(kind, canvas, geo, ev) {
    if (!hasData() || !geo) return;
    const [px, py] = local(canvas, ev);
    if (!inside(geo.box, px, py)) return;
    S.brush = { kind, x0: px, y0: py, x1: px, y1: py };
    capture(canvas, ev);
    ev.preventDefault();
  }
  function brushMove(kind, canvas, geo, ev) {
    if (S.brush?.kind !== kind) return;
    const [px, py] = local(canvas, ev);
    S.brush.x1 = clamp(px, geo.box.x0, geo.box.x1);
    S.brush.y1 = clamp(py, geo.box.y0, geo.box.y1);
    if (kind === "crop") drawRight(); else drawSpectrum();
  }
  on(N.correctedMap, "pointerdown", (ev) => brushStart("crop", N.correctedMap, S.geo.right, ev));
  on(N.correctedMap, "pointermove", (ev) => brushMove("crop", N.correctedMap, S.geo.right, ev));
  on(N.correctedMap, "pointerup", () => {
    const b = S.brush;
    if (b?.kind !== "crop") return;
    S.brush = null;
    const { x, y } = S.geo.right;
    if (Math.abs(b.x1 - b.x0) > 4 && Math.abs(b.y1 - b.y0) > 4) {
      model.set("delay_range", [x.invert(Math.min(b.x0, b.x1)), x.invert(Math.max(b.x0, b.x1))]);
      model.set("wavelength_range", [y.invert(Math.max(b.y0, b.y1)), y.invert(Math.min(b.y0, b.y1))]);
      model.save_changes();
    }
    drawRight();
  });
  on(N.spectrum, "pointerdown", (ev) => brushStart("mask", N.spectrum, S.geo.spec, ev));
  on(N.spectrum, "pointermove", (ev) => brushMove("mask", N.spectrum, S.geo.spec, ev));
  on(N.spectrum, "pointerup", () => {
    const b = S.brush;
    if (b?.kind !== "mask") return;
    S.brush = null;
    const { x } = S.geo.spec;
    if (Math.abs(b.x1 - b.x0) > 3) setSetting("mask_bands", addBand(model.get("mask_bands") ?? [], [x.invert(b.x0), x.invert(b.x1)]));
    drawSpectrum();
  });
  on(N.spectrum, "dblclick", (ev) => {
    if (!S.geo.spec) return;
    const bands = model.get("mask_bands") ?? [];
    const i = bandAt(bands, S.geo.spec.x.invert(local(N.spectrum, ev)[0]));
    if (i >= 0) setSetting("mask_bands", bands.filter((_, k) => k !== i));
  });

  on(N.pumpSel, "change", () => setSetting("pump_index", +N.pumpSel.value));
  on(N.orderSel, "change", () => setSetting("chirp_order", +N.orderSel.value));
  on(N.bgBox, "change", () => setSetting("background", N.bgBox.checked));
  on(N.svBox, "change", () => setSetting("solvent", N.svBox.checked));
  on(N.undo, "click", () => model.send({ event: "undo" }));
  on(N.redo, "click", () => model.send({ event: "redo" }));
  on(N.resetCrop, "click", () => { model.set("delay_range", []); model.set("wavelength_range", []); model.save_changes(); });
  for (const node of [N.pumpSel, N.orderSel]) on(node, "keydown", (ev) => ev.stopPropagation());

  // ---- model events --------------------------------------------------------------------------
  const pending = new Set();
  const schedule = (what) => {
    if (pending.size === 0) queueMicrotask(() => {
      const all = new Set(pending);
      pending.clear();
      if (all.has("data")) { loadData(); redrawAll(); buildBands(); }
      else {
        if (all.has("points") && S.drag < 0) { loadPoints(); live(); }
        else if (all.has("view")) { redrawAll(); }
        else if (all.has("marks")) { drawRight(); drawSpectrum(); }
        if (all.has("scans")) buildScans();
        if (all.has("marks")) buildBands();
      }
      syncControls();
    });
    pending.add(what);
  };
  listen("dA delays wavelengths pump_labels chirp_center", () => schedule("data"));
  listen("chirp_points chirp_order", () => schedule("points"));
  listen("pump_index height", () => schedule("view"));
  listen("delay_range wavelength_range mask_bands", () => schedule("marks"));
  listen("thumbs scan_labels rejected", () => schedule("scans"));
  listen("background solvent solvent_available can_undo can_redo status", () => schedule("controls"));


  loadData();
  redrawAll();
  buildBands();
  syncControls();
  const stopWatching = watchLayout(N.root, host, () => S.theme.bg, redrawAll);

  return () => {
    abort.abort();
    cancelAnimationFrame(S.raf);
    stopWatching();
    for (const [ev, fn] of handlers) model.off(ev, fn);
    N.root.remove();
  };
}

export default { render };
