/** Registration, login and logout: Flask tutorial's `auth` blueprint. */
// In your own project: import { ... } from "phial";
import {
  Blueprint,
  flash,
  g,
  type Handler,
  redirect,
  renderTemplate,
  request,
  safeNext,
  session,
  urlFor,
} from "../../src/index.ts";
import type { Db, User } from "./db.ts";
import { checkPassword, hashPassword } from "./passwords.ts";

/**
 * Wraps a handler so that anonymous visitors are sent to the login page first, and brought back
 * to the page they asked for (a GET) once logged in.
 */
export function loginRequired<P>(handler: Handler<P>): Handler<P> {
  const wrapped: Handler<P> = (req) => {
    if (g.user === undefined) {
      const back = req.method === "GET" ? { next: req.rawPath } : {};
      return redirect(urlFor("auth.login", back));
    }
    return handler(req);
  };
  Object.defineProperty(wrapped, "name", { value: handler.name });
  return wrapped;
}

/** Before every request: the logged-in user, if any, as `g.user`. */
export function loadUser(db: Db): () => void {
  return () => {
    const id = session.get("userId");
    if (typeof id !== "number") return;
    const user = db.prepare("SELECT * FROM user WHERE id = ?").get(id) as User | undefined;
    if (user !== undefined) g.user = user;
  };
}

export function authBlueprint(db: Db): Blueprint {
  const auth = new Blueprint("auth", { urlPrefix: "/auth" });

  auth.route("/register", { methods: ["GET", "POST"] }, async function register() {
    if (request.method === "POST") {
      const form = await request.form();
      const username = form.get("username")?.trim() ?? "";
      const password = form.get("password") ?? "";
      let error: string | null = null;
      if (username === "") error = "Username is required.";
      else if (password === "") error = "Password is required.";
      if (error === null) {
        try {
          db.prepare("INSERT INTO user (username, password) VALUES (?, ?)").run(
            username,
            await hashPassword(password),
          );
          flash("Registered. Please log in.", "info");
          return redirect(urlFor("auth.login"));
        } catch (err) {
          if ((err as { code?: string }).code !== "SQLITE_CONSTRAINT_UNIQUE") throw err;
          error = `User ${username} is already registered.`;
        }
      }
      flash(error, "error");
    }
    return renderTemplate("auth/register.html");
  });

  auth.route("/login", { methods: ["GET", "POST"] }, async function login() {
    if (request.method === "POST") {
      const form = await request.form();
      const username = form.get("username") ?? "";
      const user = db.prepare("SELECT * FROM user WHERE username = ?").get(username) as
        | User
        | undefined;
      // One message for both cases, so the form does not tell which usernames exist.
      if (user === undefined || !(await checkPassword(user.password, form.get("password") ?? ""))) {
        flash("Incorrect username or password.", "error");
      } else {
        session.clear();
        session.set("userId", user.id);
        // `next` comes from the URL, so anyone can write it: only a path on this site is followed.
        return redirect(safeNext(request.query.get("next"), urlFor("blog.index")));
      }
    }
    return renderTemplate("auth/login.html");
  });

  auth.post("/logout", function logout() {
    session.clear();
    return redirect(urlFor("blog.index"));
  });

  return auth;
}
