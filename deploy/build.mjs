#!/usr/bin/env node
// Production build: src/cli/main.ts bundled by esbuild into dist/ (ES modules, code splitting), so
// each subcommand's code is a chunk loaded only when that command runs. The gRPC packages stay
// outside the bundle: @grpc/reflection and grpc-health-check read .proto files next to their own
// code at run time, and they must share one @grpc/grpc-js with ours. dist/meta.json maps every
// chunk to its inputs (test/cli/lazy-load.test.ts reads it).
// Usage: node deploy/build.mjs [OUTDIR]   (default dist/)
import { build } from 'esbuild';
import { rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const EXTERNAL = ['@grpc/grpc-js', '@grpc/reflection', '@grpc/proto-loader', 'grpc-health-check'];
const root = fileURLToPath(new URL('..', import.meta.url));

/** Build into `outdir`; `sourcemap: false` for the packages (no .map files, no map comments). */
export async function buildDist(outdir, { sourcemap = true } = {}) {
  rmSync(outdir, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: root,
    // The plan's worker threads load their own entry (src/cli/sweep-pool.ts finds it next to main.js).
    entryPoints: { main: 'src/cli/main.ts', 'sweep-worker': 'src/cli/sweep-worker.ts' },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    external: EXTERNAL,
    chunkNames: 'chunks/[name]-[hash]',
    sourcemap: sourcemap ? 'linked' : false,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
    // Bundled CommonJS packages (commander, pino, yaml...) call require(); ESM has none by itself.
    banner: { js: "import { createRequire as __ballastRequire } from 'node:module'; const require = __ballastRequire(import.meta.url);" },
  });
  writeFileSync(`${outdir}/meta.json`, JSON.stringify(result.metafile));
  return result.metafile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const outdir = process.argv[2] ?? `${root}dist`;
  await buildDist(outdir);
  process.stderr.write(`built ${outdir} in ${Math.round(performance.now() - started)} ms\n`);
}
