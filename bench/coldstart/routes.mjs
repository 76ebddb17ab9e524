// The 1000 routes each cold-start script registers: three of every four are dynamic.
export const ROUTE_COUNT = 1000;

/** `[pattern, requestPath]` pairs in `:param` syntax. */
export function coldRoutes() {
  const routes = [];
  for (let i = 0; i < ROUTE_COUNT; i++) {
    if (i % 4 === 3) routes.push([`/static/page${i}/index`, `/static/page${i}/index`]);
    else routes.push([`/api/v1/resource${i}/:id/items/:item`, `/api/v1/resource${i}/7/items/9`]);
  }
  return routes;
}

/** The last dynamic route: the one the first request hits. */
export function firstRequestPath() {
  const routes = coldRoutes();
  for (let i = routes.length - 1; i >= 0; i--) {
    if (routes[i][0].includes(":")) return routes[i][1];
  }
  throw new Error("no dynamic route");
}

/** Sends the first request to our own server and reports the time since the process began. */
export async function firstRequest(port) {
  const res = await fetch(`http://127.0.0.1:${port}${firstRequestPath()}`);
  const body = await res.json();
  if (res.status !== 200 || body.id !== "7") throw new Error(`wrong answer ${res.status}`);
  process.stdout.write(`${JSON.stringify({ ms: performance.now() })}\n`);
}
