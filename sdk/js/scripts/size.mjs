// Prints the browser package's size as a page would load it: minified, then gzipped (a bench figure).
import { gzipSync } from "node:zlib";
import { bundleAnalytics } from "./bundle-analytics.mjs";

const minified = await bundleAnalytics({ write: false });
const gzipped = gzipSync(minified, { level: 9 });
console.log(
  `@grounded/analytics: ${(minified.length / 1024).toFixed(1)} KB minified, ${(gzipped.length / 1024).toFixed(1)} KB minified + gzipped`,
);
