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
