// TAView DOM: the stylesheet and the element tree (controls row, map + overlay + colour bar,
// cursor label, spectrum and kinetics canvases, readout). No listeners are attached here.

import { el } from "./lib/draw.js";

const CSS = `
.qd-taview { font: 12px/1.3 system-ui, sans-serif; color: var(--jp-ui-font-color1, #222); max-width: 1100px; }
.qd-taview canvas { display: block; width: 100%; background: var(--jp-layout-color0, #fff); }
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

/** Build the widget's elements, append the root to `host` and return every node render uses. */
export function buildDom(host) {
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
  return { root, pumpSel, quantityBtn, logBox, playBtn, slider, mapCanvas, barCanvas, overlay, cursorLabel, specCanvas, kinCanvas, readout };
}
