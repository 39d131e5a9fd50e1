import { createSandbox, type Sandbox, type SandboxOptions, type SandboxRunEvent } from "./sandbox-supervisor.ts";

/**
 * A sandbox whose worker processes start on the first run, not with the node: most nodes of a
 * small deployment (and most test nodes) never run tenant code, and each worker is a process.
 */
export function createLazySandbox(options: SandboxOptions): Sandbox {
  let sandbox: Sandbox | undefined;
  const listeners = new Set<(event: SandboxRunEvent) => void>();
  const started = () => {
    if (!sandbox) {
      sandbox = createSandbox(options);
      sandbox.onRun((event) => listeners.forEach((listener) => listener(event)));
    }
    return sandbox;
  };
  return {
    run: (request) => started().run(request),
    stats: () => sandbox?.stats() ?? {},
    onRun(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    // Ready to take runs: the first run starts the workers and waits for them. Starting them here
    // would start them with the node (the sandbox service awaits `ready` when it starts), which is
    // what this file exists to avoid: two idle worker processes of about 85 MB each.
    ready: async () => { await sandbox?.ready(); },
    workerPids: () => sandbox?.workerPids() ?? [],
    close: async () => sandbox?.close(),
  };
}
