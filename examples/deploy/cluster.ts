/**
 * Several phial processes sharing one port, with node:cluster: the primary forks WORKERS workers
 * (default: one per CPU) and replaces any that dies; each worker serves the app. On SIGTERM or
 * SIGINT the primary sends each worker one SIGTERM, each closes gracefully, and the primary exits
 * once they all have. A second signal to the primary cuts the requests still open.
 *
 *   PHIAL_SECRET_KEY=... PHIAL_TRUSTED_HOSTS=example.com WORKERS=4 \
 *     node --import tsx examples/deploy/cluster.ts
 *
 * Every worker must verify every other worker's session cookies: they read the same
 * PHIAL_SECRET_KEY from the environment (or share a SESSION_DB file).
 */
import cluster from "node:cluster";
import { availableParallelism } from "node:os";

if (cluster.isPrimary) {
  const size = Number(process.env.WORKERS ?? availableParallelism());
  let stopping = false;
  for (let i = 0; i < size; i++) cluster.fork();

  cluster.on("exit", (worker, code, signal) => {
    if (stopping || worker.exitedAfterDisconnect) return;
    console.error(`worker ${worker.process.pid} died (${signal ?? code}); starting another`);
    // A worker that dies at start-up would otherwise be restarted in a tight loop.
    setTimeout(() => {
      if (!stopping) cluster.fork();
    }, 1000);
  });

  // worker.kill() would disconnect the worker first, which makes it exit at once; a plain signal
  // lets its closeOnSignals() finish the requests under way.
  const stop = (): void => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGTERM");
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  // Once every worker has exited, nothing keeps the primary alive and it exits too.
} else {
  const { createApp } = await import("./app.ts");
  const app = createApp();
  // Workers share the port: the primary accepts connections and hands them out in turn.
  await app.listen({
    host: process.env.HOST ?? "127.0.0.1",
    port: Number(process.env.PORT ?? 8000),
  });
  // Ctrl+C sends SIGINT to every process in the terminal's group; the primary answers it with
  // one SIGTERM per worker, so a worker ignores SIGINT rather than count it as a second signal.
  process.on("SIGINT", () => {});
  app.closeOnSignals({ signals: ["SIGTERM"], timeout: 25_000 }).closed.then(({ forced }) => {
    console.log(`worker ${process.pid} closed${forced ? ", cutting open requests" : ""}`);
    if (forced) process.exitCode = 1;
    // The IPC channel to the primary is the last thing holding the worker open.
    cluster.worker?.disconnect();
  });
  const { address, port } = app.address() ?? {};
  console.log(`worker ${process.pid} serving on http://${address}:${port}`);
}
