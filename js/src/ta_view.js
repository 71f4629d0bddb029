// TAView: a transient-absorption map (delay × wavelength) with colour bar, spectrum and kinetics
// panels, a delay slider with play, drawn entirely in the browser from float32 buffers.
//
// Scrubbing (slider input, mouse move, play) redraws here with no kernel round trip; only the
// settled cursor (slider change, click, play stop) is written back with one save_changes().
// Colours: symmetric diverging RdBu_r, blue = negative (e.g. bleach, gain), red = positive.

import { buildLut, packLut, colorIndex, autoVmax, paintMap } from "./lib/colormap.js";
import { makeScale, nearestIndex, indexMap, niceDomain, fmt } from "./lib/axis.js";
import { decode, plane, spectrum, trace, plus, finiteRange } from "./lib/decode.js";
import { el, fit, drawAxes, polyline, legend, padRange, clipTo, vline } from "./lib/draw.js";

const CSS = `
.qd-taview { font: 12px/1.3 system-ui, sans-serif; color: var(--jp-ui-font-color1, #222); max-width: 1100px; }
.qd-taview canvas { display: block; width: 100%; background: #fff; }
.qd-taview .qd-row { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin: 4px 0; }
.qd-taview .qd-maprow { display: grid; grid-template-columns: 1fr 64px; gap: 4px; }
.qd-taview .qd-mapwrap { position: relative; }
.qd-taview canvas.qd-map-overlay { position: absolute; left: 0; top: 0; background: transparent; pointer-events: none; }
.qd-taview .qd-panels { display: grid; grid-template-columns: 1fr 1fr; gap: 8px; margin-top: 6px; }
.qd-taview .qd-delay-slider { flex: 1; min-width: 160px; }
.qd-taview .qd-cursor-label { font-variant-numeric: tabular-nums; color: var(--jp-ui-font-color2, #444); min-height: 1.3em; }
.qd-taview .qd-readout { font-weight: 600; margin-top: 4px; min-height: 1.3em; }
.qd-taview button { padding: 1px 8px; }
`;
const MARGIN = { left: 54, right: 8, top: 8, bottom: 32 };
const PANEL_HEIGHT = 200;
const PANEL_TOP = 22; // room for the legend above the plot
const COLORS = { dA: "#1f77b4", A0: "#7f7f7f", A_ex: "#111111", gain: "rgba(0,150,70,0.16)", cursor: "#e07b00" };
const LABEL = { dA: "ΔA", A_ex: "A_ex" };

function render({ model, el: host }) {
  const abort = new AbortController();
  const on = (node, type, fn) => node.addEventListener(type, fn, { signal: abort.signal });
  const modelHandlers = [];
  const listen = (names, fn) => {
    for (const name of names.split(" ")) {
      model.on(`change:${name}`, fn);
      modelHandlers.push([`change:${name}`, fn]);
    }
  };

  // ---- DOM -----------------------------------------------------------------------------------
  const root = el("div", "qd-taview");
  const style = el("style");
  style.textContent = CSS;
  const controls = el("div", "qd-row");
  const pumpSel = el("select", "qd-pump", { title: "pump level" });
  const quantityBtn = el("button", "qd-quantity", { type: "button", title: "map shows ΔA or A_ex = ΔA + A0" });
  const logLabel = el("label");
  const logBox = el("input", "qd-logdelay", { type: "checkbox" });
  logLabel.append(logBox, " log delay");
  const playBtn = el("button", "qd-play", { type: "button", title: "play through the delays" });
  const slider = el("input", "qd-delay-slider", { type: "range", min: "0", max: "0", step: "1", value: "0", "aria-label": "delay index" });
  controls.append(pumpSel, quantityBtn, logLabel, playBtn, slider);
  const mapRow = el("div", "qd-maprow");
  const mapCanvas = el("canvas", "qd-map", { role: "img", "aria-label": "TA map: delay (x) × wavelength (y); click to pick" });
  const barCanvas = el("canvas", "qd-colorbar", { role: "img", "aria-label": "colour bar: blue negative, red positive (OD)" });
  // the crosshair lives on a transparent canvas above the map: a scrub frame redraws two lines,
  // not the image
  const overlay = el("canvas", "qd-map-overlay", { "aria-hidden": "true" });
  const mapWrap = el("div", "qd-mapwrap");
  mapWrap.append(mapCanvas, overlay);
  mapRow.append(mapWrap, barCanvas);
  const cursorLabel = el("div", "qd-cursor-label");
  const panels = el("div", "qd-panels");
  const specCanvas = el("canvas", "qd-spectrum", { role: "img", "aria-label": "spectrum at the delay" });
  const kinCanvas = el("canvas", "qd-kinetics", { role: "img", "aria-label": "kinetics at the wavelength" });
  panels.append(specCanvas, kinCanvas);
  const readout = el("div", "qd-readout", { "aria-live": "polite" });
  root.append(style, controls, mapRow, cursorLabel, panels, readout);
  host.appendChild(root);

  // ---- state ---------------------------------------------------------------------------------
  const S = {
    data: null, shape: [0, 0, 0], a0: null, delays: new Float64Array(0), wl: new Float64Array(0),
    dIdx: 0, wIdx: 0, hover: null, playing: false, settling: false, raf: 0, lastStep: 0,
    lut: null, lut32: null, drawn: false, map: null, vmaxCache: new Map(), rangeCache: new Map(),
    epoch: 0, specLayer: {}, kinLayer: {},
  };
  const P = () => S.shape[0], D = () => S.shape[1], W = () => S.shape[2];
  const pump = () => Math.min(Math.max(model.get("pump_index") | 0, 0), Math.max(P() - 1, 0));
  const quantity = () => (model.get("quantity") === "A_ex" && S.a0 ? "A_ex" : "dA");
  const delayKind = () => (model.get("log_delay") ? "symlog" : "linear");
  const linthresh = () => { const c = +model.get("linthresh"); return c > 0 ? c : 1; };
  const hasData = () => S.data && D() > 0 && W() > 0;

  function loadData() {
    let dA;
    try { dA = decode(model.get("dA")); } catch (err) { dA = { data: new Float32Array(0), shape: [0, 0, 0] }; console.error("TAView dA:", err); }
    S.shape = dA.shape.length === 3 ? dA.shape : [0, 0, 0];
    S.data = dA.data;
    let a0 = null;
    try { a0 = decode(model.get("A0")); } catch { a0 = null; }
    S.a0 = a0 && a0.data.length === W() && W() > 0 ? a0.data : null;
    S.delays = Float64Array.from(model.get("delays") ?? []);
    S.wl = Float64Array.from(model.get("wavelengths") ?? []);
    if (S.delays.length !== D() || S.wl.length !== W()) {
      console.error(`TAView: dA shape ${S.shape} does not match ${S.delays.length} delays × ${S.wl.length} wavelengths`);
      S.shape = [0, 0, 0];
    }
    S.vmaxCache.clear();
    S.rangeCache.clear();
    S.hover = null;
    slider.max = String(Math.max(D() - 1, 0));
    syncCursorFromModel();
    syncControls();
  }

  function syncCursorFromModel() {
    S.dIdx = Math.max(nearestIndex(S.delays, +model.get("delay")), 0);
    S.wIdx = Math.max(nearestIndex(S.wl, +model.get("wavelength")), 0);
    slider.value = String(S.dIdx);
  }

  function syncControls() {
    const labels = model.get("pump_labels") ?? [];
    pumpSel.replaceChildren(...Array.from({ length: Math.max(P(), 1) }, (_, i) => {
      const o = el("option", "", { value: String(i) });
      o.textContent = labels[i] ?? `pump ${i}`;
      return o;
    }));
    pumpSel.value = String(pump());
    pumpSel.disabled = P() <= 1;
    quantityBtn.textContent = `map: ${LABEL[quantity()]}`;
    quantityBtn.disabled = !S.a0;
    quantityBtn.title = S.a0 ? "toggle the map between ΔA and A_ex = ΔA + A0" : "no A0 in the dataset: A_ex unavailable";
    logBox.checked = !!model.get("log_delay");
    playBtn.textContent = S.playing ? "❚❚ pause" : "▶ play";
    readout.textContent = model.get("readout") ?? "";
  }

  // ---- map -----------------------------------------------------------------------------------
  function vmax() {
    const v = +model.get("vmax");
    if (v > 0) return v;
    const key = `${pump()}|${quantity()}`;
    if (!S.vmaxCache.has(key)) S.vmaxCache.set(key, autoVmax(plane(S.data, S.shape, pump()), quantity() === "A_ex" ? S.a0 : null));
    return S.vmaxCache.get(key);
  }

  function layout(w, h, top = MARGIN.top) {
    return { x0: MARGIN.left, x1: w - MARGIN.right, y0: top, y1: h - MARGIN.bottom };
  }

  /** Draw the colour-mapped image and axes (the crosshair goes on the overlay). */
  function drawMapBase() {
    const height = Math.max(+model.get("height") || 360, 80);
    const fallback = host.clientWidth ? host.clientWidth - 70 : 640;
    const { w, h, dpr } = fit(mapCanvas, height, fallback);
    fit(overlay, height, fallback);
    const ctx = mapCanvas.getContext("2d");
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, mapCanvas.width, mapCanvas.height);
    S.drawn = true;
    const box = layout(w, h);
    const x = makeScale({ domain: [S.delays[0], S.delays[D() - 1]], range: [box.x0, box.x1], kind: delayKind(), linthresh: linthresh() });
    const y = makeScale({ domain: [S.wl[0], S.wl[W() - 1]], range: [box.y1, box.y0] });
    S.map = { x, y, box, w, h, dpr, td: S.delays.map(x.fwd) };
    mapCanvas.dataset.plotBox = [box.x0, box.y0, box.x1, box.y1].join(","); // CSS px, for tests
    if (!hasData()) {
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.fillStyle = "#666";
      ctx.fillText("no data", box.x0 + 10, box.y0 + 20);
      return;
    }
    // image at device resolution: per column a delay index, per row a wavelength index
    const X0 = Math.round(box.x0 * dpr), X1 = Math.round(box.x1 * dpr);
    const Y0 = Math.round(box.y0 * dpr), Y1 = Math.round(box.y1 * dpr);
    const nx = Math.max(X1 - X0, 1), ny = Math.max(Y1 - Y0, 1);
    const xd = makeScale({ domain: x.domain, range: [0, nx], kind: x.kind, linthresh: x.linthresh });
    const yd = makeScale({ domain: y.domain, range: [ny, 0] });
    const col = indexMap(xd, S.delays, nx), row = indexMap(yd, S.wl, ny);
    const img = ctx.createImageData(nx, ny);
    const m = plane(S.data, S.shape, pump()), a0 = quantity() === "A_ex" ? S.a0 : null;
    paintMap(new Uint32Array(img.data.buffer), m, W(), col, row, a0, vmax(), S.lut32);
    ctx.putImageData(img, X0, Y0);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    drawAxes(ctx, x, y, box, { xlabel: "delay (ps)", ylabel: "wavelength (nm)" });
  }

  function drawColorbar() {
    const height = Math.max(+model.get("height") || 360, 80);
    const { ctx, w, h } = fit(barCanvas, height, 64);
    ctx.clearRect(0, 0, w, h);
    const y0 = MARGIN.top, y1 = h - MARGIN.bottom, x0 = 4, bw = 14;
    const vm = hasData() ? vmax() : 1;
    barCanvas.dataset.vmax = String(vm); // the colour limit in use (OD), for tests
    for (let py = y0; py < y1; py++) {
      const v = vm * (1 - (2 * (py - y0 + 0.5)) / (y1 - y0));
      const k = colorIndex(v, vm) * 4;
      ctx.fillStyle = `rgb(${S.lut[k]},${S.lut[k + 1]},${S.lut[k + 2]})`;
      ctx.fillRect(x0, py, bw, 1);
    }
    ctx.strokeStyle = "#333";
    ctx.strokeRect(x0 + 0.5, y0 + 0.5, bw - 1, y1 - y0 - 1);
    ctx.fillStyle = "#333";
    ctx.font = "10px system-ui, sans-serif";
    ctx.textBaseline = "middle";
    ctx.textAlign = "left";
    for (const [v, py] of [[vm, y0 + 4], [0, (y0 + y1) / 2], [-vm, y1 - 4]]) ctx.fillText(fmt(v, 2), x0 + bw + 3, py);
    ctx.textAlign = "center";
    ctx.fillText(`${LABEL[quantity()]} (OD)`, w / 2, y1 + 12);
  }

  // ---- cursor, panels (the per-frame work while scrubbing) -----------------------------------
  function cursor() {
    return S.hover ?? { d: S.dIdx, w: S.wIdx };
  }

  function valueAt(d, w) {
    const v = S.data[(pump() * D() + d) * W() + w];
    return quantity() === "A_ex" ? v + S.a0[w] : v;
  }

  function drawOverlay() {
    const ctx = overlay.getContext("2d");
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, overlay.width, overlay.height);
    if (!hasData()) return;
    const { x, y, box, dpr } = S.map;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const c = cursor();
    const px = x.map(S.delays[c.d]), py = y.map(S.wl[c.w]);
    ctx.save();
    ctx.beginPath();
    ctx.rect(box.x0, box.y0, box.x1 - box.x0, box.y1 - box.y0);
    ctx.clip();
    ctx.strokeStyle = "rgba(0,0,0,0.75)";
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    ctx.moveTo(px, box.y0); ctx.lineTo(px, box.y1);
    ctx.moveTo(box.x0, py); ctx.lineTo(box.x1, py);
    ctx.stroke();
    ctx.restore();
    cursorLabel.textContent = `delay ${fmt(S.delays[c.d], 4)} ps, wavelength ${fmt(S.wl[c.w], 4)} nm, ${LABEL[quantity()]} = ${fmt(valueAt(c.d, c.w), 3)} OD`;
  }

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

  /** One scrub frame: cached map + crosshair + both panels. */
  function frame() {
    if (!S.drawn) return;
    drawOverlay();
    if (!hasData()) return;
    const c = cursor();
    drawSpectrum(c.d);
    drawKinetics(c.d, c.w);
  }

  function redrawAll() {
    S.epoch++; // invalidates the cached panel layers
    S.lut = buildLut(model.get("colormap") || "RdBu_r");
    S.lut32 = packLut(S.lut);
    drawMapBase();
    drawColorbar();
    frame();
  }

  // ---- settling: write the cursor back to Python once ----------------------------------------
  function settle(extra = {}) {
    if (!hasData()) return;
    // our own change events must not re-read the half-written cursor from the model
    S.settling = true;
    try {
      model.set("delay", S.delays[S.dIdx]);
      model.set("wavelength", S.wl[S.wIdx]);
      for (const [k, v] of Object.entries(extra)) model.set(k, v);
    } finally {
      S.settling = false;
    }
    model.save_changes();
  }

  // ---- play ----------------------------------------------------------------------------------
  function tick(now) {
    if (!S.playing) return;
    const step = Math.max(+model.get("play_step_ms") || 80, 1);
    if (now - S.lastStep >= step) {
      S.lastStep = now;
      if (S.dIdx >= D() - 1) { stop(true); return; }
      S.dIdx++;
      slider.value = String(S.dIdx);
      frame();
    }
    S.raf = requestAnimationFrame(tick);
  }
  /** Start playing from the current delay (from the first one when at the end); false if not. */
  function start() {
    if (S.playing || !hasData()) return false;
    if (S.dIdx >= D() - 1) { S.dIdx = 0; slider.value = "0"; frame(); }
    S.playing = true;
    S.lastStep = performance.now();
    playBtn.textContent = "❚❚ pause";
    S.raf = requestAnimationFrame(tick);
    return true;
  }
  function stop(write) {
    if (!S.playing) return;
    S.playing = false;
    cancelAnimationFrame(S.raf);
    playBtn.textContent = "▶ play";
    if (write) settle({ playing: false });
  }

  // ---- events --------------------------------------------------------------------------------
  // JupyterLab's notebook shortcuts (bubbling keydown at the document) would eat the slider's
  // and the selector's navigation keys: keep them inside the widget.
  const NAV_KEYS = new Set(["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End", "PageUp", "PageDown"]);
  for (const node of [slider, pumpSel]) on(node, "keydown", (ev) => { if (NAV_KEYS.has(ev.key)) ev.stopPropagation(); });
  on(slider, "input", () => { S.dIdx = +slider.value; S.hover = null; frame(); });
  on(slider, "change", () => { S.dIdx = +slider.value; settle(); });
  on(playBtn, "click", () => {
    if (S.playing) stop(true);
    else if (start()) { model.set("playing", true); model.save_changes(); }
  });
  on(pumpSel, "change", () => { model.set("pump_index", +pumpSel.value); model.save_changes(); });
  on(quantityBtn, "click", () => { model.set("quantity", quantity() === "A_ex" ? "dA" : "A_ex"); model.save_changes(); });
  on(logBox, "change", () => { model.set("log_delay", logBox.checked); model.save_changes(); });
  const hit = (ev) => {
    if (!hasData() || !S.map) return null;
    const r = mapCanvas.getBoundingClientRect();
    const cx = ev.clientX - r.left, cy = ev.clientY - r.top;
    const { x, y, box } = S.map;
    if (cx < box.x0 || cx > box.x1 || cy < box.y0 || cy > box.y1) return null;
    return { d: nearestIndex(S.map.td, x.fwd(x.invert(cx))), w: nearestIndex(S.wl, y.invert(cy)) };
  };
  on(mapCanvas, "pointermove", (ev) => { const h = hit(ev); if (h || S.hover) { S.hover = h; frame(); } });
  on(mapCanvas, "pointerleave", () => { if (S.hover) { S.hover = null; frame(); } });
  on(mapCanvas, "click", (ev) => {
    const h = hit(ev);
    if (!h) return;
    S.dIdx = h.d; S.wIdx = h.w; S.hover = null;
    slider.value = String(S.dIdx);
    frame();
    settle();
  });

  // One kernel message may change several traits (hold_sync); their change events fire one after
  // the other, so the work is collected and done once, in a microtask, on consistent state.
  const pending = { data: false, map: false, cursor: false, frame: false, queued: false };
  const schedule = (what) => {
    pending[what] = true;
    if (pending.queued) return;
    pending.queued = true;
    queueMicrotask(() => {
      const { data, map, cursor } = pending;
      Object.assign(pending, { data: false, map: false, cursor: false, frame: false, queued: false });
      if (data) loadData();
      else if (cursor) syncCursorFromModel();
      if (data || map) { syncControls(); redrawAll(); } else frame();
    });
  };
  listen("dA A0 delays wavelengths", () => schedule("data"));
  listen("pump_index quantity vmax colormap log_delay linthresh height pump_labels", () => schedule("map"));
  listen("delay wavelength", () => { if (!S.settling) schedule("cursor"); });
  listen("crossings", () => schedule("frame"));
  listen("readout", () => { readout.textContent = model.get("readout") ?? ""; });
  listen("playing", () => {
    if (!model.get("playing")) stop(false);
    else if (!S.playing && !start()) { model.set("playing", false); model.save_changes(); } // no data
    syncControls();
  });

  let lastWidth = 0;
  const ro = typeof ResizeObserver === "function" ? new ResizeObserver(() => {
    const w = root.clientWidth;
    if (w && w !== lastWidth) { lastWidth = w; redrawAll(); }
  }) : null;

  loadData();
  redrawAll();
  lastWidth = root.clientWidth;
  ro?.observe(root);
  if (model.get("playing")) start();

  return () => {
    S.playing = false;
    cancelAnimationFrame(S.raf);
    abort.abort();
    ro?.disconnect();
    for (const [ev, fn] of modelHandlers) model.off(ev, fn);
    root.remove();
  };
}

export default { render };
