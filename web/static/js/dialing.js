// Power and predictive modes on the call page: the volunteer joins the dialing pool and the server bridges
// answered voters to them. While waiting, a heartbeat keeps them in the pool (the server drops a silent
// volunteer after 90 s); during a call none is sent, since saying "ready" again would end the call.
import { api } from "./api.js";

const HEARTBEAT_MS = 25000;

export class DialerPool {
  constructor(campaignId, phone, onChange) {
    this.phone = phone; // joins the volunteer's conference (Twilio) before they say they are ready
    this.url = `/api/campaigns/${encodeURIComponent(campaignId)}/ready`;
    this.takingKey = `dialer.taking.${campaignId}`;
    // This tab was taking calls when it was left (a reload): "off" says why until the volunteer acts.
    this.stoppedByReload = sessionStorage.getItem(this.takingKey) === "1";
    sessionStorage.removeItem(this.takingKey);
    this.onChange = onChange; // (state: "off" | "waiting" | "talking", detail?) => void
    this.ready = false;
    this.wanted = false; // the volunteer's own choice: a pause may take them out, a resume puts them back
    this.talking = false;
    this.callSid = null; // the voter's line while talking: the page's Hang up ends it
    this.timer = null;
  }

  async toggle() {
    this.wanted = !this.ready;
    await this.set(this.wanted);
  }

  // `alive`: the page saying it is still (or again) waiting, not asking for a new call: a voter the server
  // put through meanwhile is kept (a plain ready ends the call the volunteer is on).
  async set(ready, alive = false) {
    this.stoppedByReload = false;
    // Ready only once the server has it so: joining the conference first takes a round trip (with the
    // simulated carrier too), and a page that said "Waiting for the next voter" meanwhile was not in the pool.
    if (!ready) this.ready = false;
    clearInterval(this.timer);
    try {
      if (ready) await this.phone.joinConference();
      await api("POST", this.url, alive && ready ? { ready, alive: true } : { ready });
      if (!ready) this.phone.leaveConference();
    } catch (err) {
      this.ready = false;
      this.onChange("off", err.message);
      return;
    }
    this.ready = ready;
    // Remembered for this tab: a reload leaves the pool (leave() below), and the reloaded page says so.
    if (ready) sessionStorage.setItem(this.takingKey, "1");
    else sessionStorage.removeItem(this.takingKey);
    clearInterval(this.timer); // one heartbeat, even when a second set(true) came while this one waited
    if (ready) this.timer = setInterval(() => this.heartbeat(), HEARTBEAT_MS);
    this.onChange(ready ? (this.talking ? "talking" : "waiting") : "off");
  }

  heartbeat() {
    // `alive`: a voter the server bridged to us while this was on its way is kept, not hung up.
    if (this.ready && !this.talking) api("POST", this.url, { ready: true, alive: true }).catch(() => {});
  }

  bridged(callSid) {
    this.talking = true;
    this.callSid = callSid || null;
    this.onChange("talking");
  }

  async callDone() {
    this.talking = false;
    this.callSid = null;
    if (this.ready) await this.set(true); // back in the pool for the next voter
    else this.onChange("off"); // a call from before the page (a reload): "Start taking calls" comes back
  }

  leave() {
    if (!this.ready || this.talking) return; // a volunteer on a call stays with their voter
    fetch(this.url, {
      method: "POST", credentials: "same-origin", keepalive: true,
      headers: { "Content-Type": "application/json" }, body: JSON.stringify({ ready: false }),
    }).catch(() => {});
  }
}
