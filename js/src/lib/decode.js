// Decoding the binary arrays anywidget delivers ({view: DataView, dtype, shape}) and slicing a
// C-ordered [P, D, W] float32 buffer (pump, delay, wavelength) into maps, spectra and traces.

/** Number of elements of an array of this shape. */
export function size(shape) {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * `{view, dtype: "float32", shape}` → `{data: Float32Array, shape}`. `view` may be a DataView,
 * any typed array or an ArrayBuffer; the Float32Array is a zero-copy view when the bytes are
 * 4-aligned, a copy otherwise. Throws when the byte count does not match the shape.
 */
export function decode(obj) {
  if (!obj || !Array.isArray(obj.shape)) throw new Error("binary array without a shape: expected {view, dtype, shape}");
  const { view, dtype, shape } = obj;
  if (dtype !== "float32") throw new Error(`unsupported dtype ${JSON.stringify(dtype)}: only float32 is sent`);
  if (!shape.every((s) => Number.isInteger(s) && s >= 0)) throw new Error(`bad shape ${JSON.stringify(shape)}`);
  const n = size(shape);
  let buffer, offset, length;
  if (view instanceof ArrayBuffer) {
    [buffer, offset, length] = [view, 0, view.byteLength];
  } else if (ArrayBuffer.isView(view)) {
    [buffer, offset, length] = [view.buffer, view.byteOffset, view.byteLength];
  } else if (view == null && n === 0) {
    return { data: new Float32Array(0), shape: [...shape] };
  } else {
    throw new Error("binary array: view is not a DataView, typed array or ArrayBuffer");
  }
  if (length !== n * 4) throw new Error(`shape ${JSON.stringify(shape)} needs ${n * 4} bytes, got ${length}`);
  const data = offset % 4 === 0 ? new Float32Array(buffer, offset, n) : new Float32Array(buffer.slice(offset, offset + length));
  return { data, shape: [...shape] };
}

/** The [D, W] map of pump level p (a zero-copy subarray). */
export function plane(data, shape, p) {
  const [, D, W] = shape;
  return data.subarray(p * D * W, (p + 1) * D * W);
}

/** The spectrum [W] of pump p at delay index d (a zero-copy subarray). */
export function spectrum(data, shape, p, d) {
  const [, D, W] = shape;
  const start = (p * D + d) * W;
  return data.subarray(start, start + W);
}

/** The kinetic trace [D] of pump p at wavelength index w (a strided copy into `out`). */
export function trace(data, shape, p, w, out = null) {
  const [, D, W] = shape;
  const res = out ?? new Float32Array(D);
  let j = p * D * W + w;
  for (let d = 0; d < D; d++, j += W) res[d] = data[j];
  return res;
}

/** values + add (elementwise; `add` a scalar or an array of the same length) into a new array. */
export function plus(values, add, out = null) {
  const res = out ?? new Float32Array(values.length);
  if (typeof add === "number") for (let i = 0; i < values.length; i++) res[i] = values[i] + add;
  else for (let i = 0; i < values.length; i++) res[i] = values[i] + add[i];
  return res;
}

/** [min, max] over the finite values of several arrays; null when there is none. */
export function finiteRange(...arrays) {
  let lo = Infinity, hi = -Infinity;
  for (const a of arrays) {
    if (!a) continue;
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      if (v !== v || v === Infinity || v === -Infinity) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return lo <= hi ? [lo, hi] : null;
}
