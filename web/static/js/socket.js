// A JSON WebSocket that reconnects with backoff and dispatches messages by `type` from one table.
// With `heartbeat: {every, within}` (ms) it sends {"type": "ping"} after `every` ms without a message and
// gives the connection up if nothing comes back within `within`: a connection that died without a word (a
// Wi-Fi change, a router's timeout, a laptop lid) otherwise looks open for minutes while what is sent sits
// in its buffer, and the browser's offline event does not always come.
import { wsUrl } from "./api.js";

export class JsonSocket {
  constructor(path, handlers, { onOpen = () => {}, onState = () => {}, maxDelay = 8000, heartbeat = null } = {}) {
    this.path = path;
    this.heartbeat = heartbeat;
    this.handlers = handlers;
    this.onOpen = onOpen;
    this.onState = onState;
    this.maxDelay = maxDelay;
    this.delay = 500;
    this.open = false;
    this.ws = null;
  }

  connect() {
    const ws = new WebSocket(wsUrl(this.path));
    this.ws = ws;
    ws.addEventListener("open", () => {
      if (this.ws !== ws) return;
      this.open = true;
      this.delay = 500;
      this.heard();
      this.onState("connected");
      this.onOpen();
    });
    ws.addEventListener("message", (event) => {
      if (this.ws !== ws) return; // a socket given up for dead says nothing more
      this.heard();
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      const handler = this.handlers[message?.type];
      if (handler) handler(message);
    });
    ws.addEventListener("close", () => {
      if (this.ws === ws) this.lost();
    });
  }

  // Something came (or the socket opened): ping after `every` ms of silence, give up `within` ms later.
  heard() {
    if (!this.heartbeat) return;
    clearTimeout(this.beat);
    const ws = this.ws;
    this.beat = setTimeout(() => {
      if (this.ws !== ws || !this.open) return;
      ws.send(JSON.stringify({ type: "ping" }));
      this.beat = setTimeout(() => { if (this.ws === ws) this.drop(); }, this.heartbeat.within);
    }, this.heartbeat.every);
  }

  lost() {
    clearTimeout(this.beat);
    this.open = false;
    this.onState("reconnecting…");
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), this.delay);
    this.delay = Math.min(this.delay * 2, this.maxDelay);
  }

  // The browser says the network is gone: a dead connection's close can take minutes to arrive, and
  // what is sent meanwhile sits in its buffer, so it is given up now and a new one is made.
  drop() {
    if (!this.ws) return;
    const ws = this.ws;
    this.ws = null;
    ws.close();
    this.lost();
  }

  // The network is back: connect now rather than at the end of the backoff.
  retryNow() {
    if (this.open) return;
    clearTimeout(this.timer);
    this.delay = 500;
    this.connect();
  }

  // Sent only while connected; callers that must not lose a message keep it and resend on open.
  send(message) {
    if (this.open) this.ws.send(JSON.stringify(message));
    return this.open;
  }
}
