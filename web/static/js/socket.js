// A JSON WebSocket that reconnects with backoff and dispatches messages by `type` from one table.
import { wsUrl } from "./api.js";

export class JsonSocket {
  constructor(path, handlers, { onOpen = () => {}, onState = () => {}, maxDelay = 8000 } = {}) {
    this.path = path;
    this.handlers = handlers;
    this.onOpen = onOpen;
    this.onState = onState;
    this.maxDelay = maxDelay;
    this.delay = 500;
    this.open = false;
    this.ws = null;
  }

  connect() {
    this.ws = new WebSocket(wsUrl(this.path));
    this.ws.addEventListener("open", () => {
      this.open = true;
      this.delay = 500;
      this.onState("connected");
      this.onOpen();
    });
    this.ws.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      const handler = this.handlers[message?.type];
      if (handler) handler(message);
    });
    this.ws.addEventListener("close", () => {
      this.open = false;
      this.onState("reconnecting…");
      setTimeout(() => this.connect(), this.delay);
      this.delay = Math.min(this.delay * 2, this.maxDelay);
    });
  }

  // Sent only while connected; callers that must not lose a message keep it and resend on open.
  send(message) {
    if (this.open) this.ws.send(JSON.stringify(message));
    return this.open;
  }
}
