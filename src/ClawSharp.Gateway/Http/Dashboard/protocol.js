// A control-protocol v4 client for the browser (PROTOCOL.md): connect.challenge, then a
// `connect` request with the token; afterwards requests by id, and events. One instance per
// socket: a reconnect makes a new one.

let nextId = 0;

export class ProtocolError extends Error {
  constructor(error) {
    super(error?.message ?? "request failed");
    this.code = error?.code ?? "UNAVAILABLE";
    this.details = error?.details;
  }
}

export class GatewayClient {
  /** url: ws://host:port/ of the page's own origin; onEvent(frame); onClose({code, reason}). */
  constructor(url, { onEvent, onClose }) {
    this.url = url;
    this.onEvent = onEvent;
    this.onClose = onClose;
    this.pending = new Map();
    this.socket = null;
    this.hello = null;
  }

  /** Opens the socket and completes the handshake; resolves with hello-ok, rejects with a ProtocolError. */
  connect(token) {
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (error) => { if (!settled) { settled = true; reject(error); } };
      const socket = new WebSocket(this.url);
      this.socket = socket;
      socket.addEventListener("message", (message) => {
        let frame;
        try { frame = JSON.parse(message.data); } catch { return; }
        if (frame.type === "event" && frame.event === "connect.challenge" && !settled && !this.pending.has("connect")) {
          this.pending.set("connect", null);
          this.send({
            type: "req", id: "connect", method: "connect", params: {
              minProtocol: 4, maxProtocol: 4,
              client: { id: "clawsharp-dashboard", version: "1", platform: "web", mode: "ui", displayName: "ClawSharp dashboard" },
              role: "operator", scopes: ["operator.admin"],
              ...(token ? { auth: { token } } : {}),
              userAgent: navigator.userAgent,
            },
          });
          return;
        }
        if (frame.type === "res" && frame.id === "connect") {
          this.pending.delete("connect");
          if (frame.ok) { settled = true; this.hello = frame.payload; resolve(frame.payload); } else { fail(new ProtocolError(frame.error)); }
          return;
        }
        if (frame.type === "res") {
          const waiter = this.pending.get(frame.id);
          // A long call may answer twice (accepted, then final); the dashboard uses the first.
          if (!waiter) { return; }
          this.pending.delete(frame.id);
          if (frame.ok) { waiter.resolve(frame.payload); } else { waiter.reject(new ProtocolError(frame.error)); }
          return;
        }
        if (frame.type === "event") { this.onEvent?.(frame); }
      });
      socket.addEventListener("close", (event) => {
        fail(new ProtocolError({ code: "UNAVAILABLE", message: `connection closed (${event.code}${event.reason ? ": " + event.reason : ""})` }));
        for (const [id, waiter] of this.pending) {
          waiter?.reject(new ProtocolError({ code: "UNAVAILABLE", message: "connection closed" }));
          this.pending.delete(id);
        }
        if (this.hello) { this.onClose?.({ code: event.code, reason: event.reason }); }
      });
      socket.addEventListener("error", () => fail(new ProtocolError({ code: "UNAVAILABLE", message: "the gateway cannot be reached" })));
    });
  }

  /** One request; resolves with the payload, rejects with a ProtocolError. */
  request(method, params = {}) {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) {
      return Promise.reject(new ProtocolError({ code: "UNAVAILABLE", message: "not connected" }));
    }
    const id = `d${++nextId}`;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send({ type: "req", id, method, params });
    });
  }

  close() { this.socket?.close(1000, "dashboard closed"); }

  send(frame) { this.socket.send(JSON.stringify(frame)); }
}
