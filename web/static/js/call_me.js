// "Call me" on the call page (power and predictive modes): the volunteer's own phone is their line. They
// give their number once (a call reads them a 6-digit code to type here), then the dialer calls that number;
// they press 1 and wait on it for voters. The call socket says how the leg moves ({type: "phone_leg", state}).
import { api, show } from "./api.js";

const LEG_TEXT = {
  calling: "Calling your phone…",
  answered: "Answer your phone and press 1.",
  connected: "Your phone is connected: voters are put through to it.",
  ended: "Your phone is not connected.",
};

export class CallMePanel {
  constructor(campaignId, { onLeg } = {}) {
    this.base = `/api/campaigns/${encodeURIComponent(campaignId)}/call-me`;
    this.$ = (id) => document.getElementById(id);
    this.leg = null; // {call_sid, state}
    this.waiting = null; // {resolve, reject} while "call me" waits for the 1
    this.onLegChange = onLeg || (() => {});
    this.$("callme-number-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.sendNumber();
    });
    this.$("callme-code-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.sendCode();
    });
    this.$("callme-change").addEventListener("click", () => this.drawNumber(null, null, true));
  }

  say(text, problem = false) {
    const line = this.$("callme-state");
    line.textContent = text;
    line.classList.toggle("problem", problem);
  }

  async load() {
    show(this.$("callme-box"), true);
    const view = await api("GET", this.base);
    this.leg = view.leg && view.leg.state !== "ended" ? view.leg : null;
    this.drawNumber(view.number, view.verifying);
    if (this.leg) this.say(LEG_TEXT[this.leg.state]);
  }

  get verified() {
    return Boolean(this.number);
  }

  drawNumber(number, verifying, changing = false) {
    this.number = number || this.number || null;
    const asking = changing || !this.number;
    show(this.$("callme-number"), Boolean(this.number) && !changing);
    this.$("callme-masked").textContent = this.number || "";
    show(this.$("callme-number-form"), asking && !verifying);
    show(this.$("callme-code-form"), Boolean(verifying));
    if (verifying) {
      this.$("callme-code-hint").textContent = `We are calling ${verifying} to read you a code.`;
      this.$("callme-code").focus();
    } else if (asking) {
      this.$("callme-phone").focus();
    }
  }

  async sendNumber() {
    const phone = this.$("callme-phone").value.trim();
    try {
      const answer = await api("PUT", `${this.base}/number`, { phone });
      this.drawNumber(null, answer.verifying);
      this.say("");
    } catch (err) {
      this.say(err.message, true);
    }
  }

  async sendCode() {
    const code = this.$("callme-code").value.trim();
    try {
      const answer = await api("POST", `${this.base}/number/verify`, { code });
      this.$("callme-code").value = "";
      this.number = answer.number;
      this.drawNumber(answer.number, null);
      this.say("Your number is verified: choose “My phone” and press Start taking calls.");
    } catch (err) {
      if (err.code !== "wrong_code") this.drawNumber(this.number, null, true);
      this.say(err.message, true);
    }
  }

  // Resolves once the volunteer has answered and pressed 1; rejects if the phone ends first.
  async connect() {
    if (this.leg?.state === "connected") return;
    if (!this.verified) throw new Error("give and verify your phone number first");
    const waiting = new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
    try {
      const placed = await api("POST", this.base);
      this.leg = { call_sid: placed.call_sid, state: placed.state };
      this.say(LEG_TEXT.calling);
    } catch (err) {
      this.waiting = null;
      if (err.code !== "already_on_phone") throw err;
    }
    return waiting;
  }

  hangUp() {
    if (!this.leg) return;
    api("DELETE", this.base).catch(() => {});
  }

  onLeg(message) {
    if (this.leg && message.call_sid !== this.leg.call_sid && message.state !== "calling") return;
    this.leg = { call_sid: message.call_sid, state: message.state };
    this.say(LEG_TEXT[message.state] || "");
    if (message.state === "connected") this.waiting?.resolve();
    if (message.state === "ended") {
      this.waiting?.reject(new Error("your phone did not connect"));
      this.leg = null;
    }
    if (["connected", "ended"].includes(message.state)) this.waiting = null;
    this.onLegChange(message.state);
  }
}

// The dialing pool's phone when the volunteer takes calls on their own phone.
export class CallMePhone {
  constructor(panel) {
    this.panel = panel;
    this.kind = "call_me";
  }
  async ready() {}
  async joinConference() {
    await this.panel.connect();
  }
  leaveConference() {
    this.panel.hangUp();
  }
}

// Dial-in: the page shows the campaign's inbound number and a PIN; the volunteer calls in and types it.
export class DialInPanel {
  constructor(campaignId) {
    this.url = `/api/campaigns/${encodeURIComponent(campaignId)}/dial-in/pin`;
    this.$ = (id) => document.getElementById(id);
    this.connected = false;
    this.number = "";
    this.$("dialin-new").addEventListener("click", () => this.newPin());
  }

  async open() {
    show(this.$("dialin-box"), true);
    if (!this.$("dialin-pin").textContent) await this.newPin();
  }

  close() {
    show(this.$("dialin-box"), false);
  }

  async newPin() {
    try {
      const answer = await api("POST", this.url);
      this.number = answer.number;
      this.$("dialin-number").textContent = answer.number;
      this.$("dialin-number").href = `tel:${answer.number}`;
      this.$("dialin-pin").textContent = `${answer.pin.slice(0, 3)} ${answer.pin.slice(3)}`;
      // A new PIN clears an earlier problem, not the line's state ("not connected" after a hang-up).
      if (this.$("dialin-state").classList.contains("problem")) this.say("");
    } catch (err) {
      this.say(err.message, true);
    }
  }

  say(text, problem = false) {
    const line = this.$("dialin-state");
    line.textContent = text;
    line.classList.toggle("problem", problem);
  }

  onLeg(message) {
    this.connected = message.state === "connected";
    if (message.state === "connected") {
      this.$("dialin-pin").textContent = ""; // used: the next call needs a new one
      this.say(LEG_TEXT.connected);
    } else if (message.state === "ended") {
      this.say(LEG_TEXT.ended);
      this.newPin();
    }
  }
}

// The dialing pool's phone when the volunteer dials in: the call itself puts them in the pool.
export class DialInPhone {
  constructor(panel) {
    this.panel = panel;
    this.kind = "dial_in";
  }
  async ready() {}
  async joinConference() {
    if (!this.panel.connected) throw new Error(`call ${this.panel.number} and enter your PIN first`);
  }
  leaveConference() {}
}
