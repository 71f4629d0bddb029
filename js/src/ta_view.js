// TAView: a transient-absorption map (delay × wavelength) with colour bar, spectrum and kinetics
// panels, a delay slider with play, drawn entirely in the browser from float32 buffers.
//
// Scrubbing (slider input, mouse move, play) redraws here with no kernel round trip; only the
// settled cursor (slider change, click, play stop) is written back with one save_changes().
// Colours: symmetric diverging RdBu_r, blue = negative (e.g. bleach, gain), red = positive.

import { buildLut, packLut, colorIndex, autoVmax, paintMap } from "./lib/colormap.js";
import { makeScale, nearestIndex, indexMap, fmt } from "./lib/axis.js";
import { decode, plane, spectrum, plus } from "./lib/decode.js";
import { el, fit, drawAxes } from "./lib/draw.js";
import { buildDom } from "./dom.js";
import { MARGIN, LABEL, layout, createPanels } from "./panels.js";
import { readTheme, watchLayout } from "./lib/theme.js";
import { readoutWhileScrubbing } from "./lib/readout.js";

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

  // ---- DOM (dom.js) ---------------------------------------------------------------------------
  const { root, pumpSel, quantityBtn, logBox, playBtn, slider, mapCanvas, barCanvas, overlay, cursorLabel, specCanvas, kinCanvas, readout } = buildDom(host);

  // ---- state ---------------------------------------------------------------------------------
  const S = {
    data: null, shape: [0, 0, 0], a0: null, delays: new Float64Array(0), wl: new Float64Array(0),
    dIdx: 0, wIdx: 0, hover: null, playing: false, settling: false, raf: 0, lastStep: 0,
    lut: null, lut32: null, drawn: false, map: null, vmaxCache: new Map(), rangeCache: new Map(),
    epoch: 0, specLayer: {}, kinLayer: {}, noise: null, gainK: 3, theme: readTheme(host),
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
    let noise = null;
    try { noise = decode(model.get("noise")); } catch { noise = null; }
    S.noise = noise && noise.data.length === P() * W() && W() > 0 ? noise.data : null;
    S.gainK = Math.max(+model.get("gain_k") || 0, 0);
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
    showReadout();
  }

  // ---- map -----------------------------------------------------------------------------------
  function vmax() {
    const v = +model.get("vmax");
    if (v > 0) return v;
    const key = `${pump()}|${quantity()}`;
    if (!S.vmaxCache.has(key)) S.vmaxCache.set(key, autoVmax(plane(S.data, S.shape, pump()), quantity() === "A_ex" ? S.a0 : null));
    return S.vmaxCache.get(key);
  }

  /** Draw the colour-mapped image and axes (the crosshair goes on the overlay). */
  function drawMapBase() {
    const height = Math.max(+model.get("height") || 360, 80);
    const fallback = host.clientWidth ? host.clientWidth - 70 : 640;
    const { w, h, dpr } = fit(mapCanvas, height, fallback);
    fit(overlay, height, fallback);
    const ctx = mapCanvas.getContext("2d");
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = S.theme.bg;
    ctx.fillRect(0, 0, mapCanvas.width, mapCanvas.height);
    S.drawn = true;
    const box = layout(w, h);
    const x = makeScale({ domain: [S.delays[0], S.delays[D() - 1]], range: [box.x0, box.x1], kind: delayKind(), linthresh: linthresh() });
    const y = makeScale({ domain: [S.wl[0], S.wl[W() - 1]], range: [box.y1, box.y0] });
    S.map = { x, y, box, w, h, dpr, td: S.delays.map(x.fwd) };
    mapCanvas.dataset.plotBox = [box.x0, box.y0, box.x1, box.y1].join(","); // CSS px, for tests
    if (!hasData()) {
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.fillStyle = S.theme.fg2;
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
    drawAxes(ctx, x, y, box, { xlabel: "delay (ps)", ylabel: "wavelength (nm)", color: S.theme.fg });
  }

  function drawColorbar() {
    const height = Math.max(+model.get("height") || 360, 80);
    const { ctx, w, h } = fit(barCanvas, height, 64);
    ctx.fillStyle = S.theme.bg;
    ctx.fillRect(0, 0, w, h);
    const y0 = MARGIN.top, y1 = h - MARGIN.bottom, x0 = 4, bw = 14;
    const vm = hasData() ? vmax() : 1;
    barCanvas.dataset.vmax = String(vm); // the colour limit in use (OD), for tests
    for (let py = y0; py < y1; py++) {
      const v = vm * (1 - (2 * (py - y0 + 0.5)) / (y1 - y0));
      const k = colorIndex(v, vm) * 4;
      ctx.fillStyle = `rgb(${S.lut[k]},${S.lut[k + 1]},${S.lut[k + 2]})`;
      ctx.fillRect(x0, py, bw, 1);
    }
    ctx.strokeStyle = S.theme.fg;
    ctx.strokeRect(x0 + 0.5, y0 + 0.5, bw - 1, y1 - y0 - 1);
    ctx.fillStyle = S.theme.fg;
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
    ctx.strokeStyle = S.theme.crosshair;
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    ctx.moveTo(px, box.y0); ctx.lineTo(px, box.y1);
    ctx.moveTo(box.x0, py); ctx.lineTo(box.x1, py);
    ctx.stroke();
    ctx.restore();
    cursorLabel.textContent = `delay ${fmt(S.delays[c.d], 3)} ps, wavelength ${fmt(S.wl[c.w], 4)} nm, ${LABEL[quantity()]} = ${fmt(valueAt(c.d, c.w), 3)} OD`;
  }

  /** Python's line for the settled cursor; while scrubbing, its part after " · " follows the
   * cursor shown (value and gain band computed here, by the rule Python uses). */
  function showReadout() {
    const settled = model.get("readout") ?? "";
    const c = cursor();
    const atSettled = c.d === nearestIndex(S.delays, +model.get("delay")) && c.w === nearestIndex(S.wl, +model.get("wavelength"));
    if (!hasData() || atSettled) { readout.textContent = settled; return; }
    const v = S.data[(pump() * D() + c.d) * W() + c.w];
    readout.textContent = readoutWhileScrubbing({
      settled, delay: S.delays[c.d], wavelength: S.wl[c.w], settledWavelength: +model.get("wavelength"),
      dA: v, a0: S.a0, spectrum: S.a0 ? plus(spectrum(S.data, S.shape, pump(), c.d), S.a0) : null,
      wl: S.wl, noise: noiseRow(), k: S.gainK,
    });
  }

  // spectrum and kinetics panels (panels.js)
  const { drawSpectrum, drawKinetics, noiseRow } = createPanels({ S, model, specCanvas, kinCanvas, pump, delayKind, linthresh, cursor });

  /** One scrub frame: cached map + crosshair + both panels. */
  function frame() {
    if (!S.drawn) return;
    drawOverlay();
    showReadout();
    if (!hasData()) return;
    const c = cursor();
    drawSpectrum(c.d);
    drawKinetics(c.d, c.w);
  }

  function redrawAll() {
    S.epoch++; // invalidates the cached panel layers
    S.theme = readTheme(host);
    root.classList.toggle("qd-dark", S.theme.dark);
    const name = model.get("colormap") || "RdBu_r";
    S.lut = buildLut(S.theme.dark && name === "RdBu_r" ? S.theme.colormap : name);
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
  listen("readout", () => showReadout());
  listen("noise gain_k", () => schedule("data"));
  listen("playing", () => {
    if (!model.get("playing")) stop(false);
    else if (!S.playing && !start()) { model.set("playing", false); model.save_changes(); } // no data
    syncControls();
  });


  loadData();
  redrawAll();
  const stopWatching = watchLayout(root, host, () => S.theme.bg, redrawAll);
  if (model.get("playing")) start();

  return () => {
    S.playing = false;
    cancelAnimationFrame(S.raf);
    abort.abort();
    stopWatching();
    for (const [ev, fn] of modelHandlers) model.off(ev, fn);
    root.remove();
  };
}

export default { render };
