// Bundle js/src/ta_view.js and js/src/prepare.js into qdwidgets/static/ (ta_view.js, prepare.js):
// one ESM file each, minified, every dependency inlined (nothing is fetched at run time).
// `node build.mjs --watch` rebuilds on change.
import * as esbuild from "esbuild";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const options = {
  entryPoints: [path.join(here, "src", "ta_view.js"), path.join(here, "src", "prepare.js")],
  outdir: path.join(here, "..", "qdwidgets", "static"),
  bundle: true,
  format: "esm",
  minify: true,
  target: ["es2020"],
  platform: "browser",
  legalComments: "none",
  logLevel: "info",
};

if (process.argv.includes("--watch")) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
} else {
  await esbuild.build(options);
}
