// Preview mode on the volunteer's own phone ("call me" or dial-in): their phone is connected to their own
// conference, and Call asks the server to call the voter into it (POST /api/campaigns/{id}/phone-leg/calls,
// dialer/web/phone_dial.py). The call then goes as a browser's: call_status over the call socket, Hang up
// and Leave voicemail by its CallSid, the result carrying it.
import { api } from "./api.js";
import { SimulatedPhone } from "./phone.js";

export class LegCallPhone extends SimulatedPhone {
  // `connect` resolves once the volunteer's phone is in their conference (it may ring it first).
  constructor(campaignId, onStatus, kind, connect) {
    super(campaignId, onStatus);
    this.kind = kind;
    this.connect = connect;
  }
  async dial(contactId) {
    this.onStatus("dialing");
    await this.connect();
    const path = `/api/campaigns/${encodeURIComponent(this.campaignId)}/phone-leg/calls`;
    const placed = await api("POST", path, { contact_id: contactId });
    this.callSid = placed?.call_sid ?? null;
    return this.callSid;
  }
}

// Preview through a conference (the campaign's preview_conference): the browser waits in the volunteer's own
// conference, as in power mode, and each Call has the server place the voter into it, so a coach or a
// transfer's staff line can join the call. `line` is the browser's phone (TwilioPhone or SimulatedPhone):
// with Twilio its leg=agent connect joins the conference; the simulated carrier is asked to do the same.
export class ConferenceCallPhone extends LegCallPhone {
  constructor(campaignId, onStatus, line) {
    super(campaignId, onStatus, "conference", () => this.join());
    this.line = line;
    this.joined = false;
  }
  async ready() {
    await this.line.ready();
  }
  async join() {
    if (this.line.kind === "twilio") {
      await this.line.joinConference(); // joins once; again only if that leg was dropped
      return;
    }
    if (this.joined) return;
    const leg = await api("POST", `/api/campaigns/${encodeURIComponent(this.campaignId)}/conference-leg`);
    this.legSid = leg?.call_sid ?? null;
    this.joined = true;
  }
  // The page goes (a reload, a closed tab): its leg leaves the conference. With Twilio the Voice SDK's leg
  // drops by itself and Twilio reports it; the simulated leg is the server's, so the page says so. A voter
  // on the line is held until the page's next leg joins (dialer/web/conference_hold.py).
  pageGone() {
    if (this.line.kind === "twilio" || !this.legSid) return;
    const path = `/api/campaigns/${encodeURIComponent(this.campaignId)}/conference-leg/${encodeURIComponent(this.legSid)}`;
    fetch(path, { method: "DELETE", credentials: "same-origin", keepalive: true }).catch(() => {});
  }
  leaveConference() {
    this.line.leaveConference();
    this.joined = false;
  }
}
