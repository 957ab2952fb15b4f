import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// The dashboard is served from the same origin as the API (CloudFront in AWS, the local cloud's
// front door locally): `/api/*` goes to the API, everything else to these files.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    assetsDir: "assets", // hashed names: cached for a year; index.html never
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  server: {
    // `npm run dev` serves the app with hot reload and passes /api to the local cloud
    proxy: { "/api": "http://localhost:3001" },
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./test/setup.ts"],
    include: ["test/**/*.test.tsx", "test/**/*.test.ts"],
  },
});
