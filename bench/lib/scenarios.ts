/**
 * The HTTP scenarios: what each benchmark app must serve, and how an answer is checked before
 * any timing starts (a fast wrong answer is not a result).
 */
import { DEEP_ROUTE } from "./github-routes.ts";

/** The two apps every framework implements (see bench/servers/README.md). */
export type AppKind = "basic" | "github";

export interface Scenario {
  readonly name: string;
  readonly app: AppKind;
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly status: number;
  /** The parsed JSON body the answer must carry, or undefined when only the status matters. */
  readonly json?: unknown;
}

export const ECHO_BODY = JSON.stringify({ name: "phial", tags: ["fast", "small"], n: 42 });

export const scenarios: readonly Scenario[] = [
  {
    name: "GET / (JSON)",
    app: "basic",
    method: "GET",
    path: "/",
    status: 200,
    json: { hello: "world" },
  },
  {
    name: "GET /user/:id",
    app: "basic",
    method: "GET",
    path: "/user/12345",
    status: 200,
    json: { id: "12345" },
  },
  { name: "404", app: "basic", method: "GET", path: "/no/such/page", status: 404 },
  {
    name: "POST /echo (JSON)",
    app: "basic",
    method: "POST",
    path: "/echo",
    headers: { "content-type": "application/json" },
    body: ECHO_BODY,
    status: 200,
    json: JSON.parse(ECHO_BODY),
  },
  {
    name: "GitHub API, deep param route",
    app: "github",
    method: DEEP_ROUTE.method,
    path: DEEP_ROUTE.path,
    status: 200,
    json: {
      route: `${DEEP_ROUTE.method} ${DEEP_ROUTE.pattern}`,
      params: { owner: "phial", repo: "phial", number: "42" },
    },
  },
];
