/**
 * The 203 GitHub API routes every benchmark app and router serves, with one concrete request path
 * per route. Params are filled with `<name>1` (e.g. `:owner` -> `owner1`), which never equals a
 * static segment of the set, so each request has exactly one right answer.
 */
import { readFileSync } from "node:fs";

export interface GithubRoute {
  /** Upper-case method, e.g. "GET". */
  readonly method: string;
  /** The route in `:param` syntax, e.g. "/repos/:owner/:repo". */
  readonly pattern: string;
  /** A request path this route (and only this route) answers. */
  readonly path: string;
  /** The params a router must extract from `path`. */
  readonly params: Readonly<Record<string, string>>;
  /** "METHOD pattern": what a benchmark handler answers, to prove the right route ran. */
  readonly id: string;
}

const file = new URL("../data/github-api-routes.txt", import.meta.url);

/** Reads the route set, in file order. */
export function githubRoutes(): GithubRoute[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const [method = "", pattern = ""] = line.trim().split(/\s+/);
      const params: Record<string, string> = {};
      const path = pattern.replace(/:(\w+)/g, (_, name: string) => {
        params[name] = `${name}1`;
        return `${name}1`;
      });
      return { method, pattern, path, params, id: `${method} ${pattern}` };
    });
}

/** The deep parametric route the HTTP benchmark hits on the GitHub app. */
export const DEEP_ROUTE = {
  method: "GET",
  pattern: "/repos/:owner/:repo/pulls/:number/comments",
  path: "/repos/phial/phial/pulls/42/comments",
} as const;

/** A path no route of the set answers. */
export const MISS_PATH = "/repos/owner1/repo1/no-such-resource/here";
