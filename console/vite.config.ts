import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// Served by the platform at /console (core/server/console-assets.ts); `manifest` lets the bundle
// budget test (test/console/bundle-budget.test.ts) see what each page loads.
export default defineConfig({
  base: "/console/",
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, manifest: true, sourcemap: false, target: "es2022" },
  server: { proxy: { "/v1": "http://127.0.0.1:3000" } },
});
