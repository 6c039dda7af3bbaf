// Calling from the volunteer's own phone: the page shows the voter's number as a tel: link (tapping it dials
// on a phone) and the script opens at once, since no carrier reports progress; nothing is placed by us. The
// rest of the call (results, retries, skips, call-backs, Save & next) is the browser's flow, unchanged.
import { displayPhone, show } from "./api.js";

// The phone behind the same buttons as SimulatedPhone and TwilioPhone: "dialing" is the volunteer's own
// business, so the line counts as connected (the script takes answers) as soon as they press the number.
export class OwnPhone {
  constructor(onStatus) {
    this.onStatus = onStatus;
    this.kind = "own_phone";
  }
  async ready() {}
  async dial() {
    this.onStatus("own-phone");
    return null;
  }
  async hangup() {}
  release() {}
  async joinConference() {}
  leaveConference() {}
}

const CHOSEN_KEY = (campaignId) => `dialer.method.${campaignId}`;

// The volunteer's method: the one they picked last on this device when it is still offered, else the
// campaign's first. `methods` is what the server offers (own phone alone without a carrier).
export function chosenMethod(campaignId, methods) {
  const stored = localStorage.getItem(CHOSEN_KEY(campaignId));
  return methods.includes(stored) ? stored : methods[0] || "browser";
}

export function rememberMethod(campaignId, method) {
  localStorage.setItem(CHOSEN_KEY(campaignId), method);
}

// What the phone box shows for `method` in `phase`: the tel: link and "Nobody to talk to" replace Call and
// Hang up for an own-phone call; the campaign's caller ID means nothing then.
export function drawMethod(ui, { method, methods, phase, contact, active }) {
  const own = method === "own_phone";
  show(ui.methodChoice, methods.length > 1);
  for (const input of ui.methodChoice.querySelectorAll("input")) {
    input.checked = input.value === method;
    input.disabled = !["idle", "ready"].includes(phase); // not in the middle of a call
  }
  show(ui.phoneKind, !own);
  show(ui.ownPhoneKind, own);
  show(ui.callerLine, !own);
  show(ui.ownCallerLine, own);
  show(ui.call, !own);
  show(ui.hangup, !own);
  show(ui.again, !own); // nobody answered: calling again from one's own phone is the number to tap
  ui.card.classList.toggle("own-phone", own);
  const offer = own && contact && active && ["ready", "dialing", "connected", "unanswered"].includes(phase);
  show(ui.tel, Boolean(offer));
  if (offer) {
    const again = phase === "unanswered" ? " again" : "";
    ui.tel.href = `tel:${contact.phone}`;
    ui.tel.textContent = `Call ${displayPhone(contact.phone)}${again}`;
    ui.tel.setAttribute("aria-label", `Call ${displayPhone(contact.phone)}${again} from your phone`);
    ui.tel.classList.toggle("primary", !again); // after nobody answered, Save is the page's main button
  } else {
    ui.tel.removeAttribute("href");
  }
  show(ui.nobody, own && phase === "connected");
}
