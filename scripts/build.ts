// `pnpm build`: each service compiled to one ES module, services/<name>/dist/main.js, that production
// runs with plain `node` (no TypeScript loader). esbuild rather than tsc: the sources import without
// file extensions (moduleResolution Bundler), which Node cannot resolve in tsc's per-file output.
// Workspace packages are compiled into the bundle; everything from the registry stays an import
// (native addons such as sharp and argon2 cannot be bundled) and is installed beside it.
import { cp, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Entry points per service: what its Dockerfile runs (the launcher, `pnpm start`, is for development). */
const SERVICES: Record<string, string[]> = {
  "admin-auth": ["src/main.ts", "src/cli/user.ts"],
  "img-converter": ["src/main.ts"],
};

/** Bare imports stay imports, except our own workspace packages, which are compiled in. */
const registryPackagesExternal: Plugin = {
  name: "registry-packages-external",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith("@belfoot/") ? undefined : { path: args.path, external: true },
    );
  },
};

for (const [service, entries] of Object.entries(SERVICES)) {
  const dir = path.join(root, "services", service);
  const outdir = path.join(dir, "dist");
  await rm(outdir, { recursive: true, force: true });
  await build({
    absWorkingDir: dir,
    entryPoints: entries.map((entry) => ({ in: entry, out: path.basename(entry, ".ts") })),
    outdir,
    bundle: true,
    splitting: true,
    platform: "node",
    format: "esm",
    target: "node20",
    sourcemap: true,
    logLevel: "warning",
    plugins: [registryPackagesExternal],
  });
  // The database migrations are read at start-up beside the compiled code.
  await cp(path.join(root, "packages/db/migrations"), path.join(outdir, "migrations"), { recursive: true });
  process.stdout.write(`built services/${service}/dist\n`);
}
