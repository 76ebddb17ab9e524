import { Duplex } from "node:stream";

/**
 * Addresses a {@link PairSocket} reports, as a TCP socket would.
 *
 * @example
 * ```ts
 * const addresses: PairAddresses = {
 *   localAddress: "127.0.0.1", localPort: 80, remoteAddress: "127.0.0.1", remotePort: 50000,
 * };
 * ```
 */
export interface PairAddresses {
  readonly localAddress: string;
  readonly localPort: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
}

type WriteCallback = (error?: Error | null) => void;

/**
 * One end of an in-memory connection: bytes written here are read by its peer. Shaped like
 * enough of a `net.Socket` (addresses, `setTimeout`, `setNoDelay`, `ref`, `destroySoon`, ...)
 * that `http.Server` and `http.ClientRequest` use it as they would a TCP socket.
 *
 * @example
 * ```ts
 * const [client, server] = createDuplexPair();
 * server.on("data", (chunk) => console.log(String(chunk))); // "ping"
 * client.write("ping");
 * ```
 */
export class PairSocket extends Duplex {
  readonly localAddress: string;
  readonly localPort: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly remoteFamily = "IPv4";
  readonly localFamily = "IPv4";
  /** Whether the connection pretends to be TLS; frameworks read this to decide the scheme. */
  readonly encrypted: boolean;
  readonly connecting = false;
  readonly pending = false;
  readonly readyState = "open";
  timeout: number | undefined = undefined;
  bytesRead = 0;
  bytesWritten = 0;

  #peer: PairSocket | undefined;
  // The peer's write waits here when our read buffer is full; our _read releases it.
  #blockedPeerWrite: WriteCallback | undefined;

  constructor(addresses: PairAddresses, encrypted: boolean) {
    // A TCP socket ends its writable side once the peer's FIN arrives; so does this one, which
    // lets both sides finish and close without a half-open connection lingering.
    super({ allowHalfOpen: false });
    this.localAddress = addresses.localAddress;
    this.localPort = addresses.localPort;
    this.remoteAddress = addresses.remoteAddress;
    this.remotePort = addresses.remotePort;
    this.encrypted = encrypted;
  }

  /** @internal Links the two ends; only {@link createDuplexPair} calls it. */
  connectTo(peer: PairSocket): void {
    this.#peer = peer;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: WriteCallback): void {
    // Delivery is deferred so that one side's write never runs the other side's parser (and
    // user code) inside its own call stack, as with a real socket.
    process.nextTick(() => {
      const peer = this.#peer;
      if (!peer || peer.destroyed || peer.readableEnded) {
        // The peer has closed: the bytes are lost, as on TCP, but the write is not an error.
        // An HTTP client that errors on it drops the answer the server sent before closing
        // (Node's 431 for oversized headers, a 413 before the body); it should read that
        // answer, then the EOF already on its way.
        callback();
        return;
      }
      this.bytesWritten += chunk.length;
      peer.bytesRead += chunk.length;
      if (peer.push(chunk)) callback();
      else peer.#blockedPeerWrite = callback;
    });
  }

  override _read(): void {
    const release = this.#blockedPeerWrite;
    if (release) {
      this.#blockedPeerWrite = undefined;
      release();
    }
  }

  override _final(callback: WriteCallback): void {
    process.nextTick(() => {
      const peer = this.#peer;
      if (peer && !peer.destroyed) peer.push(null);
      callback();
    });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const peer = this.#peer;
    const release = this.#blockedPeerWrite;
    this.#blockedPeerWrite = undefined;
    release?.();
    // As closing a TCP socket sends FIN, the peer reads what was already written, then EOF
    // (queued after any delivery in flight); what it still writes is dropped (see _write).
    if (peer && !peer.destroyed) process.nextTick(() => peer.destroyed || peer.push(null));
    callback(error);
  }

  /** Ends the writable side, then destroys once it has flushed, as `net.Socket#destroySoon`. */
  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once("finish", () => this.destroy());
  }

  /**
   * Records the timeout but never fires it: there is no idle peer to guard against in memory,
   * and a timer here would keep the event loop alive.
   */
  setTimeout(ms: number, callback?: () => void): this {
    this.timeout = ms;
    if (callback) this.once("timeout", callback);
    return this;
  }

  setNoDelay(_noDelay?: boolean): this {
    return this;
  }

  setKeepAlive(_enable?: boolean, _initialDelay?: number): this {
    return this;
  }

  // No handle holds the event loop, so there is nothing to ref or unref.
  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }

  address(): { address: string; family: string; port: number } {
    return { address: this.localAddress, family: this.localFamily, port: this.localPort };
  }
}

/**
 * Options for {@link createDuplexPair}.
 *
 * @example
 * ```ts
 * createDuplexPair({ serverPort: 443, encrypted: true });
 * ```
 */
export interface DuplexPairOptions {
  /** Port the "server" end reports as its own (default 80). */
  readonly serverPort?: number;
  /** Whether both ends report `encrypted: true` (default false). */
  readonly encrypted?: boolean;
}

// Ephemeral ports are only labels here, but distinct ones make concurrent connections
// distinguishable in logs, as they would be over TCP.
let nextClientPort = 49152;

/**
 * A connected pair of in-memory sockets on `127.0.0.1`: `[client, server]`. What one writes,
 * the other reads. Node 20 has no `stream.duplexPair`, and this one also carries the socket
 * fields `node:http` expects.
 *
 * @example
 * ```ts
 * const [client, server] = createDuplexPair({ serverPort: 80 });
 * httpServer.emit("connection", server);
 * http.request({ createConnection: () => client, path: "/" }).end();
 * ```
 */
export function createDuplexPair(options: DuplexPairOptions = {}): [PairSocket, PairSocket] {
  const serverPort = options.serverPort ?? 80;
  const clientPort = nextClientPort;
  nextClientPort = nextClientPort >= 65535 ? 49152 : nextClientPort + 1;
  const encrypted = options.encrypted ?? false;
  const host = "127.0.0.1";
  const client = new PairSocket(
    { localAddress: host, localPort: clientPort, remoteAddress: host, remotePort: serverPort },
    encrypted,
  );
  const server = new PairSocket(
    { localAddress: host, localPort: serverPort, remoteAddress: host, remotePort: clientPort },
    encrypted,
  );
  client.connectTo(server);
  server.connectTo(client);
  return [client, server];
}
