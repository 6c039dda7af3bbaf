// The volunteer call page: take a batch, call each contact, walk the script over /ws/call, record results.
// A result is never lost to a dropped connection: each contact call gets one idempotency key
// (crypto.randomUUID), kept in sessionStorage until the server confirms; finish is re-sent on reconnect and,
// if the socket stays down, posted over HTTP with the same key (the server records it once).
import { api, displayPhone, h, humanize, pageData, show, typingInField } from "./api.js";
import { SimulatedPhone, TwilioPhone } from "./phone.js";
import { ResultDelivery } from "./delivery.js";
import { JsonSocket } from "./socket.js";
import { DialerPool } from "./dialing.js";
import { refreshProgress } from "./progress.js";
import { choiceButtons } from "./steps.js";

const data = pageData();
const campaign = data.campaign;
const cid = campaign.id;
const $ = (id) => document.getElementById(id);
const ui = {
  notice: $("notice"), name: $("contact-name"), phone: $("contact-phone"), fields: $("contact-fields"),
  position: $("position"), call: $("call-btn"), hangup: $("hangup-btn"), status: $("call-status"),
  script: $("script"), text: $("step-text"), choices: $("choices"), form: $("input-form"),
  input: $("step-input"), back: $("back-btn"), outcome: $("outcome"), result: $("result-text"),
  notes: $("notes"), finish: $("finish-btn"), manual: $("manual"), manualResult: $("manual-result"),
  manualSave: $("manual-save"), save: $("save-status"), list: $("contact-list"), more: $("more-btn"),
  conn: $("conn"), fill: $("goal-fill"), progress: $("progress-text"),
};

const STATUS_TEXT = {
  dialing: "Dialing…", queued: "Dialing…", initiated: "Dialing…", ringing: "Ringing…",
  "in-progress": "Connected: read the script", answered: "Connected: read the script",
  completed: "Call ended", busy: "Busy", "no-answer": "No answer", failed: "The call failed",
  canceled: "Call canceled",
};
const FINAL_STATUSES = new Set(["completed", "busy", "no-answer", "failed", "canceled"]);
const PENDING_KEY = `dialer.pending.${cid}`;
const DONE_KEY = `dialer.done.${cid}`;

let batch = null;
let contacts = [];
const done = JSON.parse(sessionStorage.getItem(DONE_KEY) || "{}"); // contact id -> result
let current = null; // contact object shown
let callKey = null; // idempotency key of the current contact call
let started = false; // a call (script walk) is in progress for `current`
let step = null;
let resumeStep = null; // a resumed call's step that came before its contact was on the list
let ended = null; // the `done` message
let renewTimer = null;

// Power and predictive: no list to work through; the server bridges answered voters to this volunteer.
const dialing = campaign.mode !== "preview";
const DIALER_TEXT = {
  off: "You are not taking calls.",
  waiting: "Waiting for the next voter… keep this page open.",
  talking: "Connected to a voter: read the script.",
};

const phone = data.phone === "twilio"
  ? new TwilioPhone(cid, onCallStatus)
  : new SimulatedPhone(cid, onCallStatus);

const pool = dialing ? new DialerPool(cid, phone, (state, detail) => {
  $("dialer-state").textContent = detail ? `${DIALER_TEXT[state]} (${detail})` : DIALER_TEXT[state];
  $("ready-btn").textContent = pool.ready ? "Stop taking calls" : "Start taking calls";
  $("ready-btn").setAttribute("aria-pressed", String(pool.ready));
}) : null;

let sticky = ""; // a standing problem (e.g. no phone), shown whenever nothing newer is

function notify(message) {
  const text = message || sticky;
  ui.notice.textContent = text;
  show(ui.notice, Boolean(text));
}

// ---- the batch ------------------------------------------------------------------------------------------

async function takeBatch() {
  notify("");
  ui.name.textContent = "Getting your list…";
  try {
    batch = await api("POST", `/api/campaigns/${encodeURIComponent(cid)}/batches`);
  } catch (err) {
    batch = null;
    contacts = [];
    renderList();
    const why = (err.details || []).map((d) => d.reason || d.message || d).join(", ");
    const reasons = {
      outside_calling_hours: "It is outside calling hours for everyone left on the list. Thank you! Come back later.",
      exhausted: "Everyone on the list has been called. Thank you!",
      campaign_paused: "The campaign is paused by the organizers. Please wait a moment.",
    };
    const text = Object.entries(reasons).find(([k]) => why.includes(k) || JSON.stringify(err.details).includes(k));
    ui.name.textContent = "No one to call right now";
    notify(err.code === "no_contacts" ? (text ? text[1] : err.message) : err.message);
    ui.call.disabled = true;
    show(ui.more, true);
    return;
  }
  contacts = batch.contacts || [];
  show(ui.more, false);
  renderList();
  scheduleRenew();
  selectNext();
  if (resumeStep) HANDLERS.step(resumeStep); // a resumed call that arrived before the list
}

function scheduleRenew() {
  clearInterval(renewTimer);
  const every = Math.max(30, Math.min((campaign.lease_seconds || 1800) / 3, 300)) * 1000;
  renewTimer = setInterval(async () => {
    if (!batch) return;
    try {
      await api("POST", `/api/batches/${encodeURIComponent(batch.id)}/renew`);
    } catch (err) {
      if (err.status === 410) {
        notify("Your list had expired, so here is a fresh one.");
        await takeBatch();
      }
    }
  }, every);
}

function releaseBatch() {
  // An unconfirmed result, or a call in progress (a reload mid-call resumes it), keeps the lease; if the
  // volunteer really left, it expires on its own.
  if (!batch || delivery.pending || started) return;
  fetch(`/api/batches/${encodeURIComponent(batch.id)}/release`, {
    method: "POST", credentials: "same-origin", keepalive: true,
  }).catch(() => {});
}

function renderList() {
  ui.list.replaceChildren(
    ...contacts.map((c, i) => {
      const result = done[c.id];
      const label = `${i + 1}. ${c.first_name || ""} ${c.last_name || ""}`.trim();
      return h("li", { class: `${result ? "done" : ""} ${current && current.id === c.id ? "current" : ""}` },
        h("button", {
          type: "button", class: "link", disabled: Boolean(result) || started,
          "aria-current": current && current.id === c.id ? "true" : null,
          onclick: () => select(c),
        }, label),
        h("span", { class: "chip" }, result ? humanize(result) : current && current.id === c.id ? "Now" : "To call"));
    }),
  );
}

function selectNext() {
  const next = contacts.find((c) => !done[c.id]);
  if (!next) {
    current = null;
    ui.name.textContent = "List finished!";
    ui.phone.textContent = "";
    ui.fields.replaceChildren();
    ui.position.textContent = "";
    ui.call.disabled = true;
    show(ui.more, true);
    ui.more.focus();
    renderList();
    return;
  }
  select(next);
}

function select(contact) {
  if (started) return;
  current = contact;
  callKey = null;
  step = null;
  ended = null;
  ui.notes.value = "";
  const index = contacts.indexOf(contact);
  // In power and predictive modes voters arrive one at a time: "1 of 1" would say nothing.
  ui.position.textContent = dialing ? "On the line" : `Contact ${index + 1} of ${contacts.length}`;
  ui.name.textContent = `${contact.first_name || ""} ${contact.last_name || ""}`.trim() || "(no name)";
  ui.phone.textContent = displayPhone(contact.phone);
  const fields = Object.entries(contact.fields || {}).slice(0, 8);
  ui.fields.replaceChildren(...fields.flatMap(([k, v]) => [h("dt", { text: humanize(k) }), h("dd", { text: v })]));
  ui.status.textContent = "Not calling";
  show(ui.script, false);
  show(ui.outcome, false);
  show(ui.finish, false);
  ui.manual.open = false;
  ui.call.disabled = false;
  ui.call.textContent = "Call";
  ui.hangup.disabled = true;
  renderList();
  ui.call.focus();
}

// ---- the call -------------------------------------------------------------------------------------------

function beginCall() {
  // One call session per contact (and one idempotency key); dialing again after a busy line keeps both.
  if (started) return;
  started = true;
  ui.save.textContent = ""; // the last call's "Saved: ..." belonged to that call
  callKey = callKey || crypto.randomUUID();
  renderList();
}

async function placeCall() {
  if (!current) return;
  const resumed = started && step; // the script is already on screen (say, after a reload)
  if (!started) {
    beginCall();
    send({ type: "start", contact_id: current.id });
  }
  ui.call.disabled = true;
  ui.hangup.disabled = false;
  enableChoices(true);
  if (resumed) {
    // The Call button just went disabled under the keyboard: hand focus to the script's answer.
    const target = ui.form.hidden ? ui.choices.querySelector("button") : ui.input;
    (target || ui.hangup).focus();
  }
  try {
    await phone.dial(current.id);
  } catch (err) {
    ui.status.textContent = `Could not place the call: ${err.message}`;
    ui.call.disabled = false;
    ui.hangup.disabled = true;
  }
}

function onCallStatus(status, detail) {
  ui.status.textContent = (STATUS_TEXT[status] || humanize(status)) + (detail ? ` (${detail})` : "");
  if (FINAL_STATUSES.has(status)) {
    ui.hangup.disabled = true;
    ui.call.disabled = !current; // the line is free: dialing again is allowed
    ui.call.textContent = "Call again";
  }
}

async function hangUp() {
  ui.hangup.disabled = true;
  await phone.hangup();
  if (!ended) ui.manual.open = true;
}

// ---- the script (from the call socket) ------------------------------------------------------------------

function renderStep(s) {
  step = s;
  ended = null;
  show(ui.script, true);
  show(ui.outcome, false);
  show(ui.finish, false);
  ui.text.textContent = s.text;
  const buttons = choiceButtons(s, (answer) => send({ type: "answer", step: s.id, ...answer }));
  ui.choices.replaceChildren(...buttons);
  show(ui.form, Boolean(s.input));
  ui.input.value = "";
  ui.input.type = "text";
  ui.input.inputMode = s.input === "number" ? "numeric" : "text";
  $("step-input-label").textContent = s.input === "number" ? "Their answer (a number)" : "Their answer";
  ui.back.disabled = false;
  if (s.input) ui.input.focus();
  else if (buttons.length) buttons[0].focus();
}

function enableChoices(on) {
  for (const button of ui.choices.querySelectorAll("button")) button.disabled = !on;
}

function renderDone(message) {
  ended = message;
  step = null;
  ui.choices.replaceChildren();
  show(ui.form, false);
  ui.text.textContent = "The script is finished.";
  ui.result.textContent = humanize(message.result);
  show(ui.outcome, true);
  show(ui.finish, true);
  ui.manual.open = false;
  ui.finish.focus();
}

function answerInput(event) {
  event.preventDefault();
  if (!step) return;
  let value = ui.input.value.trim();
  if (step.input === "number") {
    const n = Number(value);
    if (value === "" || Number.isNaN(n)) {
      ui.save.textContent = "Please type a number.";
      return;
    }
    value = n;
  }
  send({ type: "answer", step: step.id, value });
}

// ---- finishing: confirmed once, whatever the connection does ---------------------------------------------

function finish(manualResult) {
  if (!current) return;
  if (!callKey) callKey = crypto.randomUUID(); // a result without a call (e.g. a wrong number on the list)
  const result = manualResult || ended?.result;
  if (!result) return;
  ui.finish.disabled = true;
  ui.manualSave.disabled = true;
  ui.save.textContent = "Saving…";
  delivery.submit({
    batch_id: batch?.id, contact_id: current.id, notes: ui.notes.value, idempotency_key: callKey,
    result, answers: manualResult ? {} : ended?.answers || {}, manual: Boolean(manualResult),
  });
}

function finishOnSocket(p) {
  if (!(socket.open && started && p.contact_id === current?.id)) return false;
  const message = { type: "finish", contact_id: p.contact_id, notes: p.notes, idempotency_key: p.idempotency_key };
  if (p.manual) message.result = p.result;
  return send(message);
}

function confirmed(p) {
  done[p.contact_id] = p.result;
  sessionStorage.setItem(DONE_KEY, JSON.stringify(done));
  started = false;
  ui.finish.disabled = false;
  ui.manualSave.disabled = false;
  ui.save.textContent = `Saved: ${humanize(p.result)}.`;
  refreshProgress(cid, ui.fill, ui.progress);
  if (dialing) {
    current = null;
    contacts = [];
    renderList();
    ui.position.textContent = "";
    ui.name.textContent = "Waiting for the next voter";
    ui.phone.textContent = "";
    ui.fields.replaceChildren();
    show(ui.script, false);
    show(ui.outcome, false);
    show(ui.finish, false);
    pool.callDone();
    return;
  }
  if (contacts.every((c) => done[c.id])) {
    releaseBatch();
    batch = null;
    takeBatch();
  } else {
    selectNext();
  }
}

async function rejected(err) {
  ui.save.textContent = `Could not save: ${err.message}`;
  ui.finish.disabled = false;
  ui.manualSave.disabled = false;
  if (err.status === 410 || err.code === "not_in_batch" || err.code === "lease_expired") await takeBatch();
}

const delivery = new ResultDelivery(PENDING_KEY, {
  viaSocket: finishOnSocket,
  onConfirmed: confirmed,
  onRetrying: () => {
    ui.save.textContent = "No connection: your result is kept and will be saved when you are back online.";
  },
  onRejected: rejected,
});

// ---- the socket --------------------------------------------------------------------------------------------

function send(message) {
  return socket.send(message);
}

const HANDLERS = {
  bridged(m) {
    // The server connected a voter to this volunteer; their script's first step follows.
    if (!dialing || started) return;
    const contact = m.contact || { id: m.contact_id };
    if (!contacts.some((c) => c.id === contact.id)) contacts.push(contact);
    select(contact);
    beginCall();
    pool.bridged();
    ui.status.textContent = STATUS_TEXT["in-progress"];
    ui.call.disabled = true;
  },
  step(m) {
    if (!current || m.contact_id !== current.id) {
      // After a reload the server resumes the call at once, possibly before the list is here: keep the
      // step until its contact is on the list, then show that contact and the step.
      const contact = contacts.find((c) => c.id === m.contact_id);
      if (!contact || started) {
        resumeStep = m;
        return;
      }
      select(contact);
    }
    resumeStep = null;
    beginCall(); // e.g. after a reload, the server resumes the call where it was
    renderStep(m.step);
    ui.back.disabled = m.can_go_back === false;
  },
  done(m) {
    if (current && m.contact_id === current.id) renderDone(m);
  },
  recorded(m) {
    delivery.confirm(m.contact_id);
  },
  call_status(m) {
    if (current && m.contact_id === current.id) {
      onCallStatus(m.status);
      if (m.suggested_result && !ended && FINAL_STATUSES.has(m.status)) {
        // Nobody to talk to (no answer, busy, a machine): the script's answers are off until a redial, and
        // the keyboard lands on saving what happened, so one Enter cannot log a conversation.
        ui.manualResult.value = m.suggested_result;
        ui.manual.open = true;
        enableChoices(false);
        ui.manualSave.focus();
      }
    }
  },
  error(m) {
    const finishing = ["no_call", "already_completed", "wrong_contact", "not_done", "lease_expired", "not_in_batch"];
    if (delivery.pending && finishing.includes(m.code)) {
      delivery.overHttp(); // the socket cannot take it (e.g. recorded before a drop): HTTP, same key
      return;
    }
    ui.save.textContent = m.message;
  },
};

const socket = new JsonSocket(`/ws/call/${encodeURIComponent(cid)}`, HANDLERS, {
  onState: (state) => {
    ui.conn.textContent = state;
  },
  onOpen: () => {
    if (started && current) send({ type: "start", contact_id: current.id }); // resumes where the call is
    if (delivery.pending) delivery.attempt();
  },
});

// ---- keyboard: number keys pick answers; Enter/Space work on whatever button has focus ---------------

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && typingInField(event)) {
    event.target.blur();
    return;
  }
  if (typingInField(event) || event.ctrlKey || event.metaKey || event.altKey) return;
  if (/^[1-9]$/.test(event.key)) {
    const button = ui.choices.querySelector(`button[data-index="${Number(event.key) - 1}"]`);
    if (button) {
      event.preventDefault();
      button.click();
    }
  }
});

ui.call.addEventListener("click", placeCall);
ui.hangup.addEventListener("click", hangUp);
ui.back.addEventListener("click", () => send({ type: "back" }));
ui.form.addEventListener("submit", answerInput);
ui.finish.addEventListener("click", () => finish(null));
ui.manualSave.addEventListener("click", () => finish(ui.manualResult.value));
ui.more.addEventListener("click", takeBatch);
window.addEventListener("pagehide", () => (dialing ? pool.leave() : releaseBatch()));
if (dialing) $("ready-btn").addEventListener("click", () => pool.toggle());

async function main() {
  try {
    await phone.ready();
  } catch (err) {
    sticky = `The phone could not start (${err.message}).`;
    notify("");
  }
  if (data.twilio_wanted && data.phone !== "twilio") {
    sticky = "Calling needs the Twilio Voice SDK, which is not installed on this server (make voice-sdk).";
    notify("");
  }
  socket.connect();
  refreshProgress(cid, ui.fill, ui.progress);
  setInterval(() => refreshProgress(cid, ui.fill, ui.progress), 30000);
  if (delivery.pending) delivery.overHttp(); // left over from a reload: same key, recorded at most once
  if (dialing) {
    show($("dialer-box"), true);
    show($("phone-box"), false);
    ui.name.textContent = "Press “Start taking calls” when you are ready";
    $("ready-btn").focus();
    return;
  }
  await takeBatch();
}

main();
