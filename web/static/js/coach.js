// Listen-in, coach and barge from the roster (API-additions.md, "Listen-in, coach and barge"), and the
// volunteer page's sign that a coach is on the line. The roster is redrawn on every push, so what this
// organizer is doing lives here, by volunteer, not in the rows.
import { api, h } from "./api.js";

const MODES = [
  ["listen", "Listen", "Join muted: hear the call, nobody hears you"],
  ["coach", "Coach", "Only the volunteer hears you"],
  ["barge", "Barge", "Join the conversation: the voter hears you too"],
];
const sessions = new Map(); // volunteer -> the mode this organizer is in on their call

function url(campaignId, volunteer) {
  return `/api/campaigns/${encodeURIComponent(campaignId)}/roster/${encodeURIComponent(volunteer)}/coach`;
}

// Where the coach is called: a phone number typed once above the roster (kept in this browser), else the
// browser itself (the simulated carrier plays it; with Twilio give a phone: API-additions.md).
function coachPhone() {
  let input = document.getElementById("coach-phone");
  const table = document.getElementById("roster");
  if (!input && table) {
    input = h("input", { id: "coach-phone", type: "tel", autocomplete: "tel", placeholder: "+12025550142",
      value: localStorage.getItem("coach-phone") || "" });
    input.addEventListener("change", () => localStorage.setItem("coach-phone", input.value.trim()));
    table.before(h("p", { class: "coach-phone muted small" },
      h("label", { for: "coach-phone" }, "To listen in or coach, call me at (empty: in this browser) "), input));
  }
  return input ? input.value.trim() : "";
}

const errors = new Map(); // volunteer -> {message, at}: the last refusal of a coaching request
const ERROR_SHOWN_MS = 15000;

// The roster row's coaching controls; `redraw` repaints the roster after a change.
export function coachControls(campaignId, row, redraw) {
  coachPhone();
  const current = sessions.get(row.volunteer) || null;
  // The roster is drawn again with every stats frame: an error lives here, not in the span it was shown in.
  const shown = errors.get(row.volunteer);
  const fresh = shown && Date.now() - shown.at < ERROR_SHOWN_MS;
  const status = h("span", { class: "coach-error small", role: "status" }, fresh ? shown.message : "");
  const act = async (button, method, body) => {
    button.disabled = true;
    errors.delete(row.volunteer);
    try {
      const session = await api(method, url(campaignId, row.volunteer), body);
      if (method === "DELETE") sessions.delete(row.volunteer);
      else sessions.set(row.volunteer, session.mode);
      redraw();
    } catch (err) {
      if (method === "DELETE" && err.status === 404) { // the coach's line ended by itself meanwhile
        sessions.delete(row.volunteer);
        redraw();
        return;
      }
      button.disabled = false;
      status.textContent = err.message;
      errors.set(row.volunteer, { message: err.message, at: Date.now() });
    }
  };
  const buttons = MODES.map(([mode, label, title]) => h("button", {
    type: "button", class: mode === current ? "primary" : "", title, "aria-pressed": String(mode === current),
    "data-coach": mode, onclick: (e) => {
      if (mode === current) return;
      const phone = coachPhone();
      act(e.target, "POST", phone ? { mode, phone } : { mode });
    },
  }, label));
  const leave = current ? h("button", {
    type: "button", class: "danger", "data-coach": "leave", onclick: (e) => act(e.target, "DELETE"),
  }, "Leave") : null;
  return h("span", { class: "coach-controls", role: "group", "aria-label": `Join ${row.name}'s call` }, ...buttons, leave, status);
}

const INDICATOR_TEXT = {
  listen: (by) => `${by} is listening in.`,
  coach: (by) => `${by} is coaching you: only you hear them.`,
  barge: (by) => `${by} joined your call: the voter hears them too.`,
};

// The volunteer's page: `{"type": "coach", "mode", "by"}` from the call socket.
export function showCoach(node, message) {
  const text = INDICATOR_TEXT[message.mode];
  node.hidden = !text;
  node.dataset.mode = message.mode || "";
  node.textContent = text ? text(message.by || "A coach") : "";
}
