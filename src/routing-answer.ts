/**
 * What routing decided when no handler runs, as Flask's routing exceptions: the strict-slash
 * redirect, the automatic OPTIONS answer, and the 405, 400 and 404 errors.
 */
import { BadRequest, MethodNotAllowed, NotFound } from "./errors.ts";
import type { Request } from "./request.ts";
import { Response } from "./response.ts";
import type { RouteMatch } from "./routing/table.ts";
import { redirect } from "./to-response.ts";

/** The 400's description for a path that is not one, or has a malformed escape. */
export const MALFORMED_PATH = "The URL path is malformed (bad percent-encoding or not a path).";

/**
 * The answer for a match that found no route to call: a 308 to the slash URL (query kept),
 * `200` with `Allow` for OPTIONS, or a thrown 405 (with `Allow`), 400 or 404.
 *
 * @example
 * ```ts
 * routingAnswer(req, { type: "redirect", path: "/docs/" }); // 308 to /docs/
 * ```
 */
export function routingAnswer(
  req: Request,
  match: Exclude<RouteMatch<unknown>, { type: "found" }>,
): Response {
  switch (match.type) {
    case "redirect": {
      // Collapse leading slashes so "//evil.example/" can never become a protocol-relative URL.
      const path = match.path.replace(/^\/+/, "/");
      return redirect(req.rawQuery === "" ? path : `${path}?${req.rawQuery}`, 308);
    }
    case "options":
      return new Response(null, { status: 200, headers: { Allow: match.allow.join(", ") } });
    case "method_not_allowed":
      throw new MethodNotAllowed(undefined, { headers: { Allow: match.allow.join(", ") } });
    case "bad_path":
      throw new BadRequest(MALFORMED_PATH);
    default:
      throw new NotFound();
  }
}
