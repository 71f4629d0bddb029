// Colours from JupyterLab's theme variables (light or dark), read with getComputedStyle, so that
// canvases, axes, text and marks follow the theme. Defaults: the light theme.

const DEFAULTS = {
  "--jp-layout-color0": "#ffffff",
  "--jp-ui-font-color1": "rgba(0,0,0,0.87)",
  "--jp-ui-font-color2": "rgba(0,0,0,0.54)",
  "--jp-border-color1": "#bdbdbd",
};

/** [r, g, b] (0–255) of a CSS colour string "#rgb", "#rrggbb" or "rgb(a)(...)"; null if unknown. */
export function parseColor(text) {
  const s = String(text || "").trim();
  let m = s.match(/^#([0-9a-f]{3})$/i);
  if (m) return [...m[1]].map((c) => parseInt(c + c, 16));
  m = s.match(/^#([0-9a-f]{6})/i);
  if (m) return [0, 2, 4].map((i) => parseInt(m[1].slice(i, i + 2), 16));
  m = s.match(/^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)/i);
  if (m) return [+m[1], +m[2], +m[3]].map(Math.round);
  return null;
}

/** Relative luminance (0 black … 1 white) of [r, g, b]. */
export function luminance([r, g, b]) {
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}

/** The palette for a background and font colour (CSS strings): dark when the background is. */
export function palette(vars) {
  const get = (k) => (vars[k] && String(vars[k]).trim()) || DEFAULTS[k];
  const bg = get("--jp-layout-color0");
  const rgb = parseColor(bg) ?? [255, 255, 255];
  const dark = luminance(rgb) < 0.5;
  return {
    dark,
    bg,
    fg: get("--jp-ui-font-color1"),
    fg2: get("--jp-ui-font-color2"),
    border: get("--jp-border-color1"),
    zero: dark ? "#8a8a8a" : "#999999",
    dA: dark ? "#5fa8e8" : "#1f77b4",
    A0: dark ? "#a8a8a8" : "#7f7f7f",
    A_ex: dark ? "#f2f2f2" : "#111111", // the sum line: the theme's strongest contrast
    gain: dark ? "rgba(60,200,120,0.22)" : "rgba(0,150,70,0.16)",
    gainKey: dark ? "rgba(60,200,120,0.7)" : "rgba(0,150,70,0.5)",
    cursor: "#e07b00",
    crossing: dark ? "#ff5a4f" : "#d62728",
    crosshair: dark ? "rgba(255,255,255,0.8)" : "rgba(0,0,0,0.75)",
    colormap: dark ? "RdBu_r_dark" : "RdBu_r",
  };
}

/** The palette of the theme in effect at `node` (JupyterLab sets the variables on body). */
export function readTheme(node) {
  const vars = {};
  if (typeof getComputedStyle === "function" && node) {
    const style = getComputedStyle(node);
    for (const k of Object.keys(DEFAULTS)) vars[k] = style.getPropertyValue(k);
  }
  return palette(vars);
}

/**
 * Redraw when `root` changes width or JupyterLab switches theme (attributes and variables on
 * body; the theme's stylesheet may land after the attributes change: look again a few times).
 * `currentBg()` is the background the canvases were last drawn with. Returns the cleanup.
 */
export function watchLayout(root, host, currentBg, redraw) {
  let lastWidth = root.clientWidth;
  const ro = typeof ResizeObserver === "function" ? new ResizeObserver(() => {
    const w = root.clientWidth;
    if (w && w !== lastWidth) { lastWidth = w; redraw(); }
  }) : null;
  const timers = [];
  const check = () => { if (readTheme(host).bg !== currentBg()) redraw(); };
  const watch = typeof MutationObserver === "function" && document.body ? new MutationObserver(() => {
    check();
    for (const ms of [100, 400, 1200, 3000]) timers.push(setTimeout(check, ms));
  }) : null;
  watch?.observe(document.body, { attributes: true });
  ro?.observe(root);
  return () => {
    ro?.disconnect();
    watch?.disconnect();
    timers.forEach(clearTimeout);
  };
}
