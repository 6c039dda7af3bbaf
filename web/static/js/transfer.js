// Warm transfer on the volunteer's page (API-additions.md, "Warm transfer"): a script choice with
// `transfer` first dials the campaign's staff line into the call, then answers the step as usual; the
// call socket's `transfer` messages say how it goes. While the staff line rings the volunteer stays on.
import { api } from "./api.js";

const TEXT = {
  ringing: (t) => `Calling ${t}… stay on the line until they answer.`,
  answered: (t) => `${t} took the call. Save the result.`,
  failed: (t) => `${t} did not answer: the voter is still with you.`,
};

export class Transfer {
  constructor(campaignId, node) {
    this.campaignId = campaignId;
    this.node = node;
    this.ringing = false;
  }

  // Dial the target in; false (with the reason shown) when the server refused.
  async start(contactId, target) {
    try {
      const state = await api("POST", `/api/campaigns/${encodeURIComponent(this.campaignId)}/transfers`,
        { contact_id: contactId, target });
      this.show({ ...state, target });
      return true;
    } catch (err) {
      this.node.hidden = false;
      this.node.dataset.status = "failed";
      this.node.textContent = `Could not transfer to ${target}: ${err.message}`;
      return false;
    }
  }

  show(message) {
    const text = TEXT[message.status];
    if (!text) return;
    this.ringing = message.status === "ringing";
    this.node.hidden = false;
    this.node.dataset.status = message.status;
    this.node.textContent = text(message.target);
  }

  reset() {
    this.ringing = false;
    this.node.hidden = true;
    this.node.textContent = "";
  }
}
