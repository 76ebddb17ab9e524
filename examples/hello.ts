/**
 * The smallest phial app. `npm start` serves it on http://127.0.0.1:5000.
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
// In your own project: import { Phial } from "phial";
import { Phial } from "../src/index.ts";

export const app = new Phial();

app.get("/", function index() {
  return "<h1>Hello, phial!</h1>";
});

app.get("/hello/<name>", function hello(req) {
  return { greeting: `Hello, ${req.params.name}!` };
});

// Only listen when run directly, so tests can import the app without opening a port.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.PORT ?? 5000);
  const server = await app.listen({ port, host: process.env.HOST ?? "127.0.0.1" });
  const address = app.address();
  console.log(`phial is serving on http://${address?.address}:${address?.port}`);
  const stop = () => {
    app.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  server.on("error", (err) => console.error(err));
}
