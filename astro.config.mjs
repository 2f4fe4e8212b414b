// The learner's site: static Astro pages with MDX lessons and React islands, built into dist/site
// (served by the orchestrator at /, or hosted anywhere and pointed at a backend with PUBLIC_ORCHESTRATOR_URL).
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';
import react from '@astrojs/react';

export default defineConfig({
  srcDir: './site/src',
  publicDir: './site/public',
  // OBS_SITE_OUT lets the e2e suite build a second copy (with another PUBLIC_ORCHESTRATOR_URL) elsewhere.
  outDir: process.env.OBS_SITE_OUT || './dist/site',
  output: 'static',
  trailingSlash: 'ignore',
  build: { format: 'directory' },
  integrations: [mdx(), react()],
  devToolbar: { enabled: false },
  server: { host: '127.0.0.1', port: 4321 },
  // cookie: astro needs v2 (its own copy); bundling it keeps the hoisted v0.7 (express's) from being picked up.
  vite: {
    build: { chunkSizeWarningLimit: 400 },
    ssr: { noExternal: ['cookie'] },
    environments: { prerender: { resolve: { noExternal: ['cookie'] } } },
  },
});
