// Recording a power or predictive call (dialer/web/call_recording.py): the voter cannot hear a recorded
// notice before a volunteer is on the line (that counts as an abandoned call), so while the volunteer talks
// the page shows the campaign's notice to read out, and "I read it: start recording" then starts it.
import { api, show } from "./api.js";

export class CallRecording {
  constructor(campaign, { box, button, status }) {
    this.campaignId = campaign.id;
    this.on = Boolean(campaign.record_calls) && campaign.mode !== "preview";
    this.box = box;
    this.button = button;
    this.status = status;
    this.callSid = null;
    button.addEventListener("click", () => this.start());
  }

  // A voter was bridged to this volunteer (`recording`: it already records, e.g. after a reload).
  offer(callSid, recording = false) {
    if (!this.on || !callSid) return;
    this.callSid = callSid;
    show(this.box, true);
    this.button.disabled = false;
    if (recording) this.started();
    else {
      show(this.button, true);
      this.status.textContent = "Not recording yet.";
      delete this.status.dataset.state;
    }
  }

  started() {
    show(this.button, false);
    this.status.dataset.state = "on";
    this.status.textContent = "Recording: this call is being recorded.";
  }

  // The carrier could not record (the call socket's `recording` message, or the request refused).
  failed(message) {
    show(this.button, true);
    this.button.disabled = false;
    this.status.dataset.state = "failed";
    this.status.textContent = `Not recording: ${message || "the carrier refused."} You may press again.`;
  }

  // The server has the dialer start it; the call socket's `recording` message says when it has.
  async start() {
    if (!this.callSid) return;
    this.button.disabled = true;
    const path = `/api/campaigns/${encodeURIComponent(this.campaignId)}/calls/${encodeURIComponent(this.callSid)}/recording`;
    try {
      const reply = await api("POST", path);
      if (reply?.recording === "started") this.started();
      else if (this.status.dataset.state !== "on") this.status.textContent = "Starting the recording…";
    } catch (err) {
      this.failed(err.message);
    }
  }

  // The voter hung up, or the result was saved: nothing left to record.
  end() {
    this.callSid = null;
    show(this.box, false);
  }
}
