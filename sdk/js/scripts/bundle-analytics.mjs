// Bundles @grounded/analytics for a <script> tag (an IIFE exposing `GroundedAnalytics`), minified:
// what the browser tests load, and what `npm run size` measures.
import { build } from "esbuild";

export async function bundleAnalytics({ outfile, write = true } = {}) {
  const result = await build({
    entryPoints: [new URL("../packages/analytics/dist/index.js", import.meta.url).pathname],
    bundle: true,
    minify: true,
    format: "iife",
    globalName: "GroundedAnalytics",
    target: ["es2020"],
    write,
    ...(outfile ? { outfile } : { outdir: "unused" }),
  });
  return result.outputFiles?.[0]?.contents;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const outfile = process.argv[2];
  if (!outfile) throw new Error("usage: node scripts/bundle-analytics.mjs <outfile>");
  await bundleAnalytics({ outfile });
}
