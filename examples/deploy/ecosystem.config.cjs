// pm2's configuration for examples/deploy/server.ts (docs/deploying.md). From the repository:
//   PHIAL_SECRET_KEY=... PHIAL_TRUSTED_HOSTS=example.com pm2 start examples/deploy/ecosystem.config.cjs
module.exports = {
  apps: [
    {
      name: "phial",
      script: "examples/deploy/server.ts",
      // For TypeScript run through tsx; a built app points `script` at its .js and drops both.
      interpreter: "node",
      node_args: ["--import", "tsx"],
      // pm2 is the cluster primary here: one process per CPU, all listening on PORT.
      instances: "max",
      exec_mode: "cluster",
      // pm2 stops a process with SIGINT, then SIGKILL after kill_timeout (1600 ms by default):
      // leave room for server.ts's 25 s graceful close.
      kill_timeout: 30000,
      env: { NODE_ENV: "production", PORT: "8000" },
    },
  ],
};
