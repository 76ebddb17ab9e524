/**
 * The app docs/deploying.md deploys: production settings in code, the rest from `PHIAL_*`
 * variables, a health check, a page that shows what the app believes about the request (client
 * address, scheme, host, its own external URL) and a toy login that keeps the user in the
 * session. server.ts serves it as one process, cluster.ts as several.
 *
 *   PHIAL_SECRET_KEY=$(node -e 'console.log(crypto.randomBytes(32).toString("hex"))') \
 *   PHIAL_TRUSTED_HOSTS=localhost node --import tsx examples/deploy/server.ts
 */
import { readFileSync } from "node:fs";
// In your own project: import { ... } from "phial";
import { ConfigError, Phial, redirect } from "../../src/index.ts";
import { sqliteSessions } from "./sqlite-sessions.ts";

/**
 * Builds the app from `env` (the process's environment by default):
 *
 * - `PHIAL_*` variables set any config key (`PHIAL_SECRET_KEY`, `PHIAL_TRUSTED_HOSTS`, ...);
 * - `SECRET_KEY_FILE` names a file holding the secret key (a systemd credential, a Docker secret);
 * - `SESSION_DB` names a SQLite file to keep sessions in, instead of signed cookies.
 */
export function createApp(env: NodeJS.ProcessEnv = process.env): Phial {
  const app = new Phial({
    config: {
      // nginx runs on this machine and connects from 127.0.0.1: believe its X-Forwarded-*.
      trustProxy: ["127.0.0.1"],
      // nginx serves HTTPS only, so the session cookie can demand it.
      sessionCookieSecure: true,
      preferredUrlScheme: "https",
      // One log line per request (phial logs warnings and errors only by default).
      logLevel: "info",
    },
  });
  app.config.fromEnv("PHIAL_", env);
  if (env.SECRET_KEY_FILE) {
    app.config.secretKey = readFileSync(env.SECRET_KEY_FILE, "utf8").trim();
  }
  if (env.SESSION_DB) {
    app.sessionInterface = sqliteSessions(env.SESSION_DB);
  } else if (!app.config.secretKey) {
    // A key generated at start-up would log everyone out on every restart, and each worker of a
    // cluster would refuse the others' cookies.
    throw new ConfigError(
      "Set PHIAL_SECRET_KEY (or SECRET_KEY_FILE) to a long random string that stays the same across restarts.",
    );
  }
  if (app.config.debug) {
    throw new ConfigError("config.debug shows stack traces to clients; leave it off here.");
  }

  // For nginx, a load balancer or a monitor. trustedHosts applies here too: a check that
  // connects to the app directly must send an allowed Host.
  app.get("/healthz", function healthz() {
    return { status: "ok" };
  });

  app.get("/whoami", function whoami(req) {
    return {
      ip: req.ip,
      protocol: req.protocol,
      host: req.host,
      url: req.url,
      self: req.urlFor("whoami", {}, { external: true }),
      pid: process.pid,
    };
  });

  // A stand-in for a real login (see examples/blog for one with passwords).
  app.post("/login", async function login(req) {
    const user = (await req.form()).get("user");
    if (!user) return [{ error: "user is required" }, 400];
    req.session.set("user", user);
    req.session.permanent = true;
    return redirect(req.urlFor("me"), 303);
  });

  app.get("/me", function me(req) {
    return { user: req.session.get("user") ?? null, pid: process.pid };
  });

  app.post("/logout", function logout(req) {
    req.session.clear();
    return redirect(req.urlFor("me"), 303);
  });

  return app;
}
