import { test } from "node:test";
import assert from "node:assert/strict";
import { decode, plane, spectrum, trace, plus, finiteRange, size } from "../src/lib/decode.js";

const P = 2, D = 3, W = 4;
const values = Float32Array.from({ length: P * D * W }, (_, i) => i + 0.5);
const at = (p, d, w) => (p * D + d) * W + w + 0.5;

test("decode a DataView zero-copy, with the shape", () => {
  const dv = new DataView(values.buffer);
  const { data, shape } = decode({ view: dv, dtype: "float32", shape: [P, D, W] });
  assert.deepEqual(shape, [P, D, W]);
  assert.equal(data.buffer, values.buffer);
  assert.deepEqual([...data], [...values]);
});

test("decode a DataView with an offset (aligned and unaligned)", () => {
  const bytes = new Uint8Array(8 + values.byteLength);
  bytes.set(new Uint8Array(values.buffer), 8);
  const aligned = decode({ view: new DataView(bytes.buffer, 8, values.byteLength), dtype: "float32", shape: [P, D, W] });
  assert.deepEqual([...aligned.data], [...values]);
  const odd = new Uint8Array(3 + values.byteLength);
  odd.set(new Uint8Array(values.buffer), 3);
  const unaligned = decode({ view: new DataView(odd.buffer, 3, values.byteLength), dtype: "float32", shape: [P, D, W] });
  assert.deepEqual([...unaligned.data], [...values]);
  assert.deepEqual([...decode({ view: values.buffer, dtype: "float32", shape: [24] }).data], [...values]);
});

test("decode rejects bad input with a message", () => {
  assert.throws(() => decode({ view: new DataView(values.buffer), dtype: "float32", shape: [5, 5] }), /needs 100 bytes, got 96/);
  assert.throws(() => decode({ view: new DataView(values.buffer), dtype: "float64", shape: [P, D, W] }), /unsupported dtype/);
  assert.throws(() => decode({ view: "abc", dtype: "float32", shape: [1] }), /not a DataView/);
  assert.throws(() => decode(null), /without a shape/);
  assert.throws(() => decode({ view: null, dtype: "float32", shape: [-1] }), /bad shape/);
  assert.equal(decode({ view: new DataView(new ArrayBuffer(0)), dtype: "float32", shape: [0] }).data.length, 0);
  assert.equal(size([0, 3, 4]), 0);
});

test("plane, spectrum and trace slice a C-ordered [P, D, W] buffer", () => {
  const shape = [P, D, W];
  const m = plane(values, shape, 1);
  assert.equal(m.length, D * W);
  assert.equal(m[0], at(1, 0, 0));
  assert.deepEqual([...spectrum(values, shape, 1, 2)], [0, 1, 2, 3].map((w) => at(1, 2, w)));
  assert.deepEqual([...trace(values, shape, 0, 3)], [0, 1, 2].map((d) => at(0, d, 3)));
  const out = new Float32Array(D);
  assert.equal(trace(values, shape, 1, 1, out), out);
  assert.deepEqual([...out], [0, 1, 2].map((d) => at(1, d, 1)));
});

test("plus and finiteRange", () => {
  assert.deepEqual([...plus(Float32Array.from([1, 2]), Float32Array.from([10, 20]))], [11, 22]);
  assert.deepEqual([...plus(Float32Array.from([1, 2]), 0.5)], [1.5, 2.5]);
  assert.deepEqual(finiteRange(Float32Array.from([3, NaN, -1]), null, [Infinity, 7]), [-1, 7]);
  assert.equal(finiteRange(Float32Array.from([NaN])), null);
});
