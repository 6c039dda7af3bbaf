// Delivering one result at most once, whatever the connection does. The result waits in sessionStorage
// (so a reload keeps it) with its idempotency key; it goes over the call socket when a call session is
// open, and over HTTP (same key) when the socket is down or does not confirm within a few seconds. The
// server records a key once, so the retries are safe.
import { api } from "./api.js";

const SOCKET_PATIENCE_MS = 4000;
const RETRY_MS = 3000;

export class ResultDelivery {
  // viaSocket(pending) -> true when sent on an open call session; onConfirmed(pending) after the server
  // recorded it; onRetrying() while offline; onRejected(error, pending) when the server refuses it;
  // onRecordedElsewhere(pending) when the voter already has a result this one was not (another tab saved it).
  constructor(storageKey, { viaSocket, onConfirmed, onRetrying, onRejected, onRecordedElsewhere }) {
    this.storageKey = storageKey;
    this.hooks = { viaSocket, onConfirmed, onRetrying, onRejected, onRecordedElsewhere };
    this.pending = JSON.parse(sessionStorage.getItem(storageKey) || "null");
    this.timer = null;
  }

  submit(pending) {
    this.pending = pending;
    sessionStorage.setItem(this.storageKey, JSON.stringify(pending));
    this.attempt();
  }

  attempt() {
    if (!this.pending) return;
    const sent = this.hooks.viaSocket(this.pending);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.overHttp(), sent ? SOCKET_PATIENCE_MS : 0);
  }

  async overHttp() {
    const p = this.pending;
    if (!p) return;
    clearTimeout(this.timer);
    try {
      await api("POST", `/api/batches/${encodeURIComponent(p.batch_id)}/results`, {
        contact_id: p.contact_id, result: p.result, answers: p.answers, notes: p.notes,
        idempotency_key: p.idempotency_key, call_sid: null, call_back_at: p.call_back_at || null,
      });
      this.confirm(p.contact_id);
    } catch (err) {
      if (err.code === "already_completed") {
        // A repeat of this key would be a duplicate (200): another key saved this voter, in another tab or
        // window of this list. That result stands and this one is not recorded: not to be called saved.
        this.clear();
        this.hooks.onRecordedElsewhere(p);
      } else if (err.status === 0 || err.status >= 500) {
        this.hooks.onRetrying();
        this.timer = setTimeout(() => this.attempt(), RETRY_MS);
      } else {
        this.clear();
        this.hooks.onRejected(err, p);
      }
    }
  }

  confirm(contactId) {
    const p = this.pending;
    if (!p || p.contact_id !== contactId) return;
    this.clear();
    this.hooks.onConfirmed(p);
  }

  clear() {
    clearTimeout(this.timer);
    this.pending = null;
    sessionStorage.removeItem(this.storageKey);
  }
}
