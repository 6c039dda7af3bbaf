// The call-back time picker: a date and time on the voter's own clock (calling hours are theirs), checked
// before it is sent (the server checks it again and answers 422 with the allowed window).
import { clockTime, fromZonedInput, insideHours, suggestedCallBack, toZonedInput } from "./call_time.js";

export class CallBackPicker {
  constructor({ box, input, zone, hint, error, hours, defaultZone }) {
    Object.assign(this, { box, input, zoneLabel: zone, hint, error, hours, defaultZone });
    this.zone = defaultZone;
    this.input.addEventListener("input", () => this.problem("")); // a new time: the old problem is gone
  }

  // A time that cannot be kept (ours or the server's word): said at the field, which is marked invalid,
  // described by it and focused, as the sign-up form does; "" clears it.
  problem(text) {
    this.error.textContent = text;
    this.error.hidden = !text;
    const ids = (this.input.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && id !== this.error.id);
    this.input.setAttribute("aria-describedby", (text ? [this.error.id, ...ids] : ids).join(" "));
    if (text) {
      this.input.setAttribute("aria-invalid", "true");
      this.focus();
    } else {
      this.input.removeAttribute("aria-invalid");
    }
  }

  reset(contact) {
    this.problem("");
    this.zone = contact?.timezone || this.defaultZone;
    this.zoneLabel.textContent = `(their time: ${this.zone.replaceAll("_", " ")})`;
    this.hint.textContent = `Between ${this.between()} their time.`;
    const now = new Date();
    this.input.min = toZonedInput(now, this.zone);
    this.input.value = toZonedInput(suggestedCallBack(now, this.zone, this.hours), this.zone);
  }

  // The calling hours in the page's clock style: the saved call-back is said "6:00 PM their time".
  between() {
    return `${clockTime(this.hours.start)} and ${clockTime(this.hours.end)}`;
  }

  show(on) {
    this.box.hidden = !on;
  }

  focus() {
    this.box.hidden = false;
    this.input.focus();
  }

  // {iso} for a time that can be kept, else {error} for the volunteer.
  value(now = new Date()) {
    const at = fromZonedInput(this.input.value, this.zone);
    if (!at) return { error: "Pick a date and time to call back." };
    if (at.getTime() < now.getTime() - 60_000) return { error: "That time has passed: pick a later one." };
    if (!insideHours(at, this.zone, this.hours)) {
      return { error: `Pick a time between ${this.between()} their time.` };
    }
    return { iso: at.toISOString() };
  }
}
