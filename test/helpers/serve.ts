import { after, before } from "node:test";
import type { Phial } from "../../src/index.ts";

/**
 * Serves the app `make` builds on a free port for the whole test file: it listens before the
 * first test and closes after the last. Read `port` inside tests, once it listens.
 *
 * @example
 * ```ts
 * const served = serveDuringFile(makeApp);
 * test("...", async () => { await rawExchange(served.port, rawGet("/")); });
 * ```
 */
export function serveDuringFile(make: () => Phial): { readonly port: number } {
  let app: Phial | undefined;
  let port = 0;
  before(async () => {
    app = make();
    await app.listen({ port: 0 });
    port = app.address()?.port ?? 0;
  });
  after(() => app?.close({ timeout: 100 }));
  return {
    get port() {
      return port;
    },
  };
}
