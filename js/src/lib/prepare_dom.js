// Prepare DOM: the stylesheet and the element tree (toolbar, the two maps and colour bar, the
// spectrum, the mask bands, the scans list, hint and status). No listeners are attached here.

import { el } from "./draw.js";

const CSS = `
.qd-prepare-view { font: 12px/1.3 system-ui, sans-serif; color: var(--jp-ui-font-color1, #222); max-width: 1100px; }
.qd-prepare-view canvas { display: block; width: 100%; background: var(--jp-layout-color0, #fff); touch-action: none; }
.qd-prepare-view .qd-row { display: flex; gap: 10px; align-items: center; flex-wrap: wrap; margin: 4px 0; }
.qd-prepare-view .qd-maps { display: grid; grid-template-columns: 1fr 1fr 56px; gap: 6px; }
.qd-prepare-view canvas.qd-chirp-map { cursor: crosshair; }
.qd-prepare-view canvas.qd-corrected-map, .qd-prepare-view canvas.qd-spectrum { cursor: col-resize; }
.qd-prepare-view canvas.qd-corrected-map { cursor: crosshair; }
.qd-prepare-view .qd-bands { display: flex; gap: 6px; flex-wrap: wrap; min-height: 1.6em; align-items: center; }
.qd-prepare-view .qd-band { border: 1px solid var(--jp-border-color1, #bbb); border-radius: 10px; padding: 0 2px 0 8px; background: var(--jp-layout-color2, #eee); }
.qd-prepare-view .qd-band button { border: none; background: none; color: inherit; cursor: pointer; padding: 0 4px; }
.qd-prepare-view .qd-scans { display: flex; gap: 10px; flex-wrap: wrap; margin-top: 4px; }
.qd-prepare-view .qd-scan { display: flex; flex-direction: column; align-items: flex-start; gap: 2px; }
.qd-prepare-view .qd-scan canvas { width: 84px; height: 56px; image-rendering: pixelated; border: 1px solid var(--jp-border-color1, #bbb); }
.qd-prepare-view .qd-scan.qd-rejected canvas { opacity: 0.35; }
.qd-prepare-view .qd-hint, .qd-prepare-view .qd-status { color: var(--jp-ui-font-color2, #555); min-height: 1.3em; }
.qd-prepare-view .qd-status { font-weight: 600; color: var(--jp-ui-font-color1, #222); }
.qd-prepare-view button { padding: 1px 8px; }
.qd-prepare-view label { display: inline-flex; gap: 4px; align-items: center; }
`;

function labelled(cls, text, attrs = {}) {
  const label = el("label");
  const box = el("input", cls, { type: "checkbox", ...attrs });
  label.append(box, text);
  return { label, box };
}

/** Build the widget's elements, append the root to `host` and return the nodes render uses. */
export function buildDom(host) {
  const root = el("div", "qd-prepare-view");
  const style = el("style");
  style.textContent = CSS;
  const bar = el("div", "qd-row");
  const pumpSel = el("select", "qd-pump", { title: "pump level shown (every level is prepared)" });
  const orderLabel = el("label");
  const orderSel = el("select", "qd-order", { title: "degree of the polynomial t0(λ) through the points" });
  for (let k = 0; k <= 4; k++) {
    const o = el("option", "", { value: String(k) });
    o.textContent = String(k);
    orderSel.append(o);
  }
  orderLabel.append("chirp order", orderSel);
  const bg = labelled("qd-background", "background", { title: "subtract the mean signal before time zero" });
  const sv = labelled("qd-solvent", "solvent", { title: "subtract the solvent scan (coherent artefact)" });
  const undo = el("button", "qd-undo", { type: "button", title: "undo the last change" });
  undo.textContent = "↶ undo";
  const redo = el("button", "qd-redo", { type: "button", title: "redo" });
  redo.textContent = "↷ redo";
  const resetCrop = el("button", "qd-reset-crop", { type: "button", title: "keep every delay and wavelength" });
  resetCrop.textContent = "reset crop";
  bar.append(pumpSel, orderLabel, bg.label, sv.label, undo, redo, resetCrop);
  const maps = el("div", "qd-maps");
  const chirpMap = el("canvas", "qd-chirp-map", { role: "img", "aria-label": "measured map near time zero with the t0(λ) curve: drag a point, shift-click to add, alt-click or double-click to remove" });
  const correctedMap = el("canvas", "qd-corrected-map", { role: "img", "aria-label": "chirp-corrected map: drag a rectangle to crop" });
  const colorbar = el("canvas", "qd-colorbar", { role: "img", "aria-label": "colour bar: blue negative, red positive (OD)" });
  maps.append(chirpMap, correctedMap, colorbar);
  const spectrum = el("canvas", "qd-spectrum", { role: "img", "aria-label": "corrected spectra: drag to mask a band, double-click a band to unmask" });
  const bands = el("div", "qd-bands");
  const scans = el("div", "qd-scans");
  const hint = el("div", "qd-hint");
  hint.textContent = "t0 map: drag a point · shift-click adds · alt-click or double-click removes | corrected map: drag to crop | spectrum: drag to mask, double-click a band to unmask";
  const status = el("div", "qd-status", { "aria-live": "polite" });
  root.append(style, bar, maps, spectrum, bands, scans, hint, status);
  host.appendChild(root);
  return { root, pumpSel, orderSel, bgBox: bg.box, svBox: sv.box, svLabel: sv.label, undo, redo, resetCrop, chirpMap, correctedMap, colorbar, spectrum, bands, scans, status };
}
