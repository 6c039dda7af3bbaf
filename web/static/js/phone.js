// The two phones behind the same buttons. The simulated one asks the server to place the call (the
// simulated carrier then drives progress, reported over the call socket as call_status messages). The
// Twilio one uses the Voice JavaScript SDK from /static/vendor (fetched at set-up, never from a CDN).
import { api } from "./api.js";

export class SimulatedPhone {
  constructor(campaignId, onStatus) {
    this.campaignId = campaignId;
    this.onStatus = onStatus;
    this.kind = "simulated";
  }
  async ready() {}
  async dial(contactId) {
    this.onStatus("dialing");
    const placed = await api("POST", `/api/campaigns/${encodeURIComponent(this.campaignId)}/calls`, {
      contact_id: contactId,
    });
    this.callSid = placed?.call_sid ?? null;
    return this.callSid;
  }
  async hangup() {
    // The simulated carrier hangs up the voter's leg and reports it, as Twilio would.
    const sid = this.callSid;
    this.callSid = null;
    if (sid) {
      const path = `/api/campaigns/${encodeURIComponent(this.campaignId)}/calls/${encodeURIComponent(sid)}/hangup`;
      try {
        await api("POST", path);
      } catch (err) {
        console.warn("hang-up request failed", err);
      }
    }
    this.onStatus("completed");
  }
  release() {
    // Saved: the server has hung up the voter's leg (the simulated carrier reports it as Twilio would).
    this.callSid = null;
  }
  currentSid() {
    return this.callSid ?? null;
  }
  async joinConference() {
    // Power and predictive: the simulated carrier is asked for the leg=agent connect the Voice SDK makes with
    // Twilio, so the server knows this page's line in the volunteer's conference: when the page goes
    // mid-call (a reload), its voter is held for the page's next leg (dialer/web/conference_hold.py). The
    // simulated carrier bridges voters in the server's state, so a failure here only loses that.
    if (this.legSid) return;
    this.joining ??= api("POST", `/api/campaigns/${encodeURIComponent(this.campaignId)}/conference-leg`)
      .then((leg) => {
        this.legSid = leg?.call_sid ?? null;
      })
      .catch((err) => console.warn("could not join the conference", err))
      .finally(() => {
        this.joining = null;
      });
    await this.joining;
  }
  leaveConference() {
    this.pageGone();
    this.legSid = null;
  }
  // The page goes (a reload, a closed tab): its leg leaves the conference, as Twilio reports of a Voice SDK
  // leg whose page went. Sent with keepalive, so it outlives the page.
  pageGone() {
    if (!this.legSid) return;
    const path = `/api/campaigns/${encodeURIComponent(this.campaignId)}/conference-leg/${encodeURIComponent(this.legSid)}`;
    fetch(path, { method: "DELETE", credentials: "same-origin", keepalive: true }).catch(() => {});
  }
}

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const tag = document.createElement("script");
    tag.src = src;
    tag.onload = resolve;
    tag.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.append(tag);
  });
}

export class TwilioPhone {
  constructor(campaignId, onStatus) {
    this.campaignId = campaignId;
    this.onStatus = onStatus;
    this.kind = "twilio";
    this.device = null;
    this.call = null;
  }
  async ready() {
    await loadScript("/static/vendor/twilio.min.js");
    const { token } = await api("GET", "/api/voice/token");
    this.device = new window.Twilio.Device(token, { closeProtection: true });
    this.device.on("tokenWillExpire", async () => {
      const fresh = await api("GET", "/api/voice/token");
      this.device.updateToken(fresh.token);
    });
    this.device.on("error", (err) => this.onStatus("failed", err?.message));
  }
  async dial(contactId) {
    this.onStatus("dialing");
    this.call = await this.device.connect({ params: { contact_id: contactId, campaign_id: this.campaignId } });
    this.call.on("ringing", () => this.onStatus("ringing"));
    this.call.on("accept", () => this.onStatus("in-progress"));
    this.call.on("disconnect", () => this.onStatus("completed"));
    this.call.on("cancel", () => this.onStatus("canceled"));
    return this.call.parameters?.CallSid ?? null;
  }
  async hangup() {
    if (this.call) this.call.disconnect();
    this.call = null;
  }
  release() {
    // Saved: the server hung up the voter's leg; the browser's own leg ends with it.
    this.hangup();
  }
  currentSid() {
    return this.call?.parameters?.CallSid ?? null;
  }
  async joinConference() {
    // Power and predictive: the browser waits in the volunteer's own conference, where the server bridges
    // each answered voter (our voice webhook answers leg=agent with that conference).
    if (this.conference) return;
    this.conference = await this.device.connect({ params: { leg: "agent", campaign_id: this.campaignId } });
    this.conference.on("disconnect", () => {
      this.conference = null;
    });
  }
  leaveConference() {
    if (this.conference) this.conference.disconnect();
    this.conference = null;
  }
  pageGone() {
    // The SDK's leg drops with the page; Twilio reports its leaving (the conference's statusCallback).
  }
}
