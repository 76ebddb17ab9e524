/** Posts: list, create, edit, delete; Flask tutorial's `blog` blueprint. */
// In your own project: import { ... } from "phial";
import {
  Blueprint,
  Forbidden,
  flash,
  g,
  NotFound,
  redirect,
  renderTemplate,
  request,
  urlFor,
} from "../../src/index.ts";
import { loginRequired } from "./auth.ts";
import type { Db, Post, User } from "./db.ts";

export function blogBlueprint(db: Db): Blueprint {
  const blog = new Blueprint("blog");

  /** The post, if it exists and (unless `anyAuthor`) belongs to the current user. */
  function getPost(id: number): Post {
    const post = db
      .prepare(
        "SELECT p.id, title, body, created, author_id, username FROM post p JOIN user u ON p.author_id = u.id WHERE p.id = ?",
      )
      .get(id) as Post | undefined;
    if (post === undefined) throw new NotFound(`Post id ${id} doesn't exist.`);
    if (post.author_id !== (g.user as User).id) throw new Forbidden();
    return post;
  }

  /** The form's title and body, or null after flashing what is missing. */
  async function readPost(): Promise<{ title: string; body: string } | null> {
    const form = await request.form();
    const title = form.get("title")?.trim() ?? "";
    if (title === "") {
      flash("Title is required.", "error");
      return null;
    }
    return { title, body: form.get("body") ?? "" };
  }

  blog.get("/", function index() {
    const posts = db
      .prepare(
        "SELECT p.id, title, body, created, author_id, username FROM post p JOIN user u ON p.author_id = u.id ORDER BY created DESC, p.id DESC",
      )
      .all() as Post[];
    return renderTemplate("blog/index.html", { posts });
  });

  blog.route(
    "/create",
    { methods: ["GET", "POST"] },
    loginRequired(async function create() {
      if (request.method === "POST") {
        const post = await readPost();
        if (post !== null) {
          db.prepare("INSERT INTO post (title, body, author_id) VALUES (?, ?, ?)").run(
            post.title,
            post.body,
            (g.user as User).id,
          );
          return redirect(urlFor("blog.index"));
        }
      }
      return renderTemplate("blog/create.html");
    }),
  );

  blog.route(
    "/<int:id>/update",
    { methods: ["GET", "POST"] },
    loginRequired(async function update(req) {
      const post = getPost(req.params.id);
      if (request.method === "POST") {
        const changed = await readPost();
        if (changed !== null) {
          db.prepare("UPDATE post SET title = ?, body = ? WHERE id = ?").run(
            changed.title,
            changed.body,
            post.id,
          );
          return redirect(urlFor("blog.index"));
        }
      }
      return renderTemplate("blog/update.html", { post });
    }),
  );

  blog.post(
    "/<int:id>/delete",
    { endpoint: "delete" },
    loginRequired(function remove(req) {
      getPost(req.params.id);
      db.prepare("DELETE FROM post WHERE id = ?").run(req.params.id);
      return redirect(urlFor("blog.index"));
    }),
  );

  return blog;
}
