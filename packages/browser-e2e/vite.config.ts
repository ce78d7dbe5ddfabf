import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

/**
 * Worker-mode plugins need SharedArrayBuffer, which browsers give only to cross-origin isolated
 * pages: these two headers. `?isolation=off` serves the page without them, to show what an app
 * that forgets them gets.
 */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
} as const;

function crossOriginIsolation(): Plugin {
  // Only the page's own response decides whether it is isolated; headers on its scripts do not.
  const middleware = (req: { url?: string }, res: { setHeader(name: string, value: string): void }, next: () => void) => {
    if (!req.url?.includes('isolation=off')) {
      for (const [name, value] of Object.entries(ISOLATION_HEADERS)) res.setHeader(name, value);
    }
    next();
  };
  return {
    name: 'diaryx-cross-origin-isolation',
    configureServer: (server) => void server.middlewares.use(middleware),
    configurePreviewServer: (server) => void server.middlewares.use(middleware),
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('./page', import.meta.url)),
  base: './',
  plugins: [crossOriginIsolation()],
  build: { outDir: fileURLToPath(new URL('./dist', import.meta.url)), emptyOutDir: true, target: 'es2022', assetsInlineLimit: 0 },
  preview: { host: '127.0.0.1', strictPort: false },
  logLevel: 'warn',
});
