// The call page's card, drawn from what call.js knows: phases, the contact, the list, the unanswered
// choices. No state of its own: call.js owns the call and passes what each drawing needs.
import { displayPhone, h, humanize, show } from "./api.js";
import { historyItems } from "./history.js";

export const STATUS_TEXT = {
  dialing: "Dialing…", queued: "Dialing…", initiated: "Dialing…", ringing: "Ringing…",
  "in-progress": "Connected: read the script", answered: "Connected: read the script",
  completed: "Call ended", busy: "Busy", "no-answer": "No answer", failed: "The call failed",
  canceled: "Call canceled", "own-phone": "On your phone: read the script",
};
export const FINAL_STATUSES = new Set(["completed", "busy", "no-answer", "failed", "canceled"]);
export const CONNECTED_STATUSES = new Set(["in-progress", "answered", "own-phone"]);
const UNANSWERED_TEXT = {
  busy: "the line was busy", failed: "the call did not go through", "no-answer": "nobody answered",
  canceled: "nobody answered", completed: "nobody answered",
};
// Results that fit a call nobody answered, offered in that state (the carrier's suggestion first).
const UNANSWERED_RESULTS = ["no_answer", "busy", "voicemail", "disconnected", "wrong_number", "not_home"];
const IN_CALL = ["dialing", "connected", "unanswered", "done"];
const WITHOUT_A_CALL = new Set(["wrong_number", "moved", "deceased", "do_not_call"]);
const SCRIPT_PHASES = ["ready", "dialing", "connected"];
// Results that are a conversation with the voter: green in the list. The rest (no answer, busy, not home, a
// machine, ...) reached nobody and look it: the warning chip, not a conversation's green.
const CONVERSATIONS = new Set(["contacted", "refused", "call_back", "do_not_call"]);

export const onPhone = () => window.matchMedia("(max-width: 700px)").matches;

// The card's phase (idle, ready, dialing, connected, unanswered, done): what shows and what takes input.
export function drawPhase(ui, phase, { hasStep, hasContact, skipsLeft, dialing }) {
  ui.card.dataset.phase = phase;
  const inCall = IN_CALL.includes(phase);
  document.body.classList.toggle("in-call", inCall);
  show(ui.script, SCRIPT_PHASES.includes(phase) && hasStep);
  show(ui.lock, phase === "dialing" || (phase === "ready" && hasStep));
  const answering = phase === "connected";
  for (const button of ui.choices.querySelectorAll("button")) button.disabled = !answering;
  ui.input.disabled = !answering;
  ui.form.querySelector("button").disabled = !answering;
  show(ui.outcome, phase === "done");
  show(ui.unanswered, phase === "unanswered");
  show(ui.notesBox, inCall);
  show(ui.manual, SCRIPT_PHASES.includes(phase));
  // Before a call only what a volunteer may know without dialing (a wrong number, a voter who moved...);
  // "no answer" or "busy" need a call.
  const before = phase === "ready";
  ui.manual.querySelector("summary").textContent = before ? "Not calling this voter? Record why" : "Record what happened";
  for (const option of ui.manualResult.options) option.hidden = option.disabled = before && !WITHOUT_A_CALL.has(option.value);
  if (ui.manualResult.selectedOptions[0]?.disabled) ui.manualResult.value = [...WITHOUT_A_CALL][0];
  show(ui.finish, phase === "done" || phase === "unanswered");
  show(ui.skip, phase === "ready" && !dialing && skipsLeft > 0);
  show(ui.about, hasContact && ui.fields.childElementCount > 0);
  if (inCall && onPhone()) {
    ui.about.open = false; // on a phone the script needs the room
    ui.history.open = false;
  }
}

function theirTime(timeZone) {
  try {
    const at = new Date().toLocaleTimeString([], { timeZone, hour: "numeric", minute: "2-digit" });
    return `${at} (${timeZone.replaceAll("_", " ")})`;
  } catch {
    return timeZone;
  }
}

export function drawContact(ui, contact, position) {
  ui.position.textContent = position;
  ui.name.textContent = `${contact.first_name || ""} ${contact.last_name || ""}`.trim() || "(no name)";
  ui.phone.textContent = displayPhone(contact.phone);
  ui.phone.href = `tel:${contact.phone}`;
  show(ui.waiting, false);
  // Where they are and what time it is there, then the list's own columns (a "notes" column included,
  // apart from the volunteer's own notes box below).
  const place = [contact.state, contact.zip].filter(Boolean).join(" ");
  const rows = [
    ...(place ? [["Where", place]] : []),
    ...(contact.timezone ? [["Their time", theirTime(contact.timezone)]] : []),
    ...Object.entries(contact.fields || {}).slice(0, 8).map(([k, v]) => [humanize(k), v]),
  ];
  ui.fields.replaceChildren(...rows.flatMap(([k, v]) => [h("dt", { text: k }), h("dd", { text: v })]));
  ui.about.querySelector("summary").textContent = "About this voter";
  ui.about.open = !onPhone();
  show(ui.history, false);
  ui.historyList.replaceChildren();
}

// No contact on the card: the list is finished, or nobody can be called now (`text` says why).
export function drawNobody(ui, title, text = "") {
  ui.position.textContent = "";
  ui.name.textContent = title;
  ui.phone.textContent = "";
  ui.phone.removeAttribute("href");
  ui.fields.replaceChildren();
  ui.waiting.textContent = text;
  show(ui.waiting, Boolean(text));
  show(ui.history, false);
}

export function drawHistory(ui, entries) {
  if (!entries.length) return;
  ui.historySummary.textContent = `Called ${entries.length === 1 ? "once" : `${entries.length} times`} before: ` +
    `${humanize(entries[0].result).toLowerCase()} last time`;
  ui.historyList.replaceChildren(...historyItems(entries));
  show(ui.history, true);
}

export function drawList(ui, { contacts, done, current, started, onSelect }) {
  ui.list.replaceChildren(...contacts.map((c, i) => {
    const result = done[c.id];
    const here = current && current.id === c.id;
    const label = `${i + 1}. ${c.first_name || ""} ${c.last_name || ""}`.trim();
    return h("li", { class: `${result ? "done" : ""} ${here ? "current" : ""}` },
      h("button", {
        type: "button", class: "link", disabled: Boolean(result) || started, "aria-current": here ? "true" : null,
        onclick: () => onSelect(c),
      }, label),
      h("span", { class: result && !CONVERSATIONS.has(result) ? "chip unreached" : "chip" },
        result ? humanize(result) : here ? "Now" : "To call"));
  }));
}

// Nobody to talk to (no answer, busy, a machine): only the results that fit, the suggested one picked.
// Returns the picked result; `onPick(code)` follows the volunteer's changes.
export function drawUnanswered(ui, suggested, status, onPick) {
  const picked = UNANSWERED_RESULTS.includes(suggested) ? suggested : "no_answer";
  ui.unansweredTitle.textContent = `Nobody to talk to: ${UNANSWERED_TEXT[status] || "nobody answered"}`;
  const order = [picked, ...UNANSWERED_RESULTS.filter((r) => r !== picked)];
  ui.unansweredChoices.replaceChildren(...order.map((code) => h("label", { class: "result-choice" },
    h("input", {
      type: "radio", name: "unanswered-result", value: code, checked: code === picked,
      onchange: () => onPick(code),
    }),
    ` ${humanize(code)}${code === suggested ? " (suggested)" : ""}`)));
  return picked;
}
