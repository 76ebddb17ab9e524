/**
 * What a test client collected for one response; the body is already fully read.
 *
 * @example
 * ```ts
 * new TestResponse({ status: 204, statusText: "No Content", rawHeaders: [], body: Buffer.alloc(0),
 *   method: "GET", origin: "http://localhost", path: "/", history: [] });
 * ```
 */
export interface TestResponseInit {
  readonly status: number;
  readonly statusText: string;
  /** Header names and values in wire order, as `IncomingMessage#rawHeaders`. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly method: string;
  /** Origin of the client, e.g. `http://localhost`. */
  readonly origin: string;
  /** Request target exactly as sent. */
  readonly path: string;
  readonly history: readonly TestResponse[];
}

const utf8 = new TextDecoder("utf-8");

/**
 * A response received by a test client, with its body already read, so `text()`, `json()` and
 * `bytes()` are synchronous (awaiting them works too).
 *
 * @example
 * ```ts
 * const res = await client.get("/users/1");
 * assert.equal(res.status, 200);
 * assert.equal(res.headers.get("content-type"), "application/json");
 * assert.deepEqual(res.json(), { id: 1 });
 * ```
 */
export class TestResponse {
  /** The response status, e.g. 200. */
  readonly status: number;
  /** The reason phrase as sent, e.g. `"OK"`. */
  readonly statusText: string;
  /** Web `Headers`: case-insensitive `get`, `has`, and `getSetCookie()` for the raw cookies. */
  readonly headers: Headers;
  /** Header names (as sent) and values, in wire order: for asserting exact framing. */
  readonly rawHeaders: readonly string[];
  /** Method of the request that produced this response (after any redirect rewrites). */
  readonly method: string;
  /**
   * Request target exactly as sent, e.g. `/a/../b?x=1`. For the final response of a followed
   * redirect chain this is the last hop's target.
   */
  readonly path: string;
  /**
   * Origin plus `path`, by string concatenation: no URL parsing, so `//x` or `/a/../b` stay
   * as they were sent.
   */
  readonly url: string;
  /** The redirect responses followed to get here, oldest first; empty when none. */
  readonly history: readonly TestResponse[];
  readonly #body: Buffer;

  /**
   * @hidden Test clients build these from what they received. Left in the published types so the
   * class has no public no-argument constructor there.
   */
  constructor(init: TestResponseInit) {
    this.status = init.status;
    this.statusText = init.statusText;
    this.rawHeaders = init.rawHeaders;
    this.headers = new Headers();
    for (let i = 0; i + 1 < init.rawHeaders.length; i += 2) {
      this.headers.append(init.rawHeaders[i] ?? "", init.rawHeaders[i + 1] ?? "");
    }
    this.method = init.method;
    this.path = init.path;
    this.url = init.origin + init.path;
    this.history = init.history;
    this.#body = init.body;
  }

  /** Whether the status is 2xx. */
  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  /** The body as a Node `Buffer` (a copy, so tests cannot alter the response). */
  get buffer(): Buffer {
    return Buffer.from(this.#body);
  }

  /** The body bytes. */
  bytes(): Uint8Array {
    return new Uint8Array(this.#body);
  }

  /** The body decoded as UTF-8 (invalid sequences become U+FFFD). */
  text(): string {
    return utf8.decode(this.#body);
  }

  /**
   * The body parsed as JSON. Throws an error naming the status and content type, with the
   * start of the body, when it is not JSON: a failing test then shows what came back.
   */
  json<T = unknown>(): T {
    const text = this.text();
    try {
      return JSON.parse(text) as T;
    } catch (cause) {
      const type = this.headers.get("content-type") ?? "no content-type";
      const preview = text.length > 200 ? `${text.slice(0, 200)}...` : text;
      throw new Error(
        `${this.method} ${this.path} answered ${this.status} (${type}), not JSON: ${JSON.stringify(preview)}`,
        { cause },
      );
    }
  }
}
