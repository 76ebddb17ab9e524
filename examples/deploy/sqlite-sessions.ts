/**
 * Sessions kept on the server, in a SQLite file: they survive restarts, every worker process on
 * the machine shares them, and logging out (or deleting a row) ends a session for good, which a
 * signed cookie cannot do. The cookie holds only a random id. better-sqlite3 is synchronous, so
 * `open` can be too; an asynchronous store (Postgres, Redis) sets `eager: true` instead.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
// In your own project: import { ... } from "phial";
import { type Response, type SessionInterface, TrackedSession } from "../../src/index.ts";

/**
 * A session interface storing each session as a JSON row of the SQLite file `file` (created when
 * missing). The cookie takes its name and attributes from the config, as the default one does.
 *
 * @example
 * ```ts
 * const app = new Phial({ sessionInterface: sqliteSessions("/var/lib/myapp/sessions.sqlite") });
 * ```
 */
export function sqliteSessions(file: string): SessionInterface {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  // Several processes read and write the file at once.
  db.pragma("journal_mode = WAL");
  db.exec(`CREATE TABLE IF NOT EXISTS session (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    permanent INTEGER NOT NULL,
    expires INTEGER NOT NULL
  )`);
  const load = db.prepare<[string, number], { data: string; permanent: number }>(
    "SELECT data, permanent FROM session WHERE id = ? AND expires > ?",
  );
  const store = db.prepare<[string, string, number, number]>(
    `INSERT INTO session (id, data, permanent, expires) VALUES (?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET data = excluded.data, permanent = excluded.permanent,
     expires = excluded.expires`,
  );
  const remove = db.prepare<[string]>("DELETE FROM session WHERE id = ?");
  // Expired rows are never loaded; clearing them out at start-up keeps the file small.
  db.prepare("DELETE FROM session WHERE expires <= ?").run(now());
  // The id a session was loaded under; a session without one gets a fresh id when first saved,
  // so an id the server never issued is never adopted.
  const ids = new WeakMap<TrackedSession, string>();

  return {
    open(req, app) {
      const id = req.cookies[app.config.sessionCookieName];
      const row = id === undefined ? undefined : load.get(id, now());
      if (id === undefined || row === undefined) return new TrackedSession();
      const session = new TrackedSession(Object.entries(JSON.parse(row.data)), {
        permanent: row.permanent === 1,
      });
      ids.set(session, id);
      return session;
    },

    save(session, _req, res, app) {
      if (!(session instanceof TrackedSession) || !session.accessed) return;
      addVaryCookie(res);
      const config = app.config;
      const attributes = {
        path: config.sessionCookiePath ?? config.applicationRoot,
        domain: config.sessionCookieDomain ?? undefined,
        httpOnly: config.sessionCookieHttpOnly,
        secure: config.sessionCookieSecure,
        sameSite: sameSiteOf(config.sessionCookieSameSite),
      };
      const id = ids.get(session);
      if (session.size === 0) {
        if (id !== undefined) {
          remove.run(id);
          res.deleteCookie(config.sessionCookieName, attributes);
        }
        return;
      }
      if (!session.modified && !(session.permanent && config.sessionRefreshEachRequest)) return;
      const lifetime = config.permanentSessionLifetime;
      const newId = id ?? randomBytes(32).toString("base64url");
      const data = JSON.stringify(session.toJSON());
      store.run(newId, data, session.permanent ? 1 : 0, now() + lifetime);
      res.setCookie(config.sessionCookieName, newId, {
        ...attributes,
        ...(session.permanent ? { maxAge: lifetime } : {}),
      });
    },
  };
}

function sameSiteOf(value: "Lax" | "Strict" | "None" | null): "lax" | "strict" | "none" | false {
  return value === null ? false : (value.toLowerCase() as "lax" | "strict" | "none");
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}

/** Responses that depend on the session must not be cached as one for everybody. */
function addVaryCookie(res: Response): void {
  const vary = res.headers.get("vary");
  if (vary === null) res.headers.set("Vary", "Cookie");
  else if (!/(^|,)\s*cookie\s*(,|$)/i.test(vary)) res.headers.set("Vary", `${vary}, Cookie`);
}
