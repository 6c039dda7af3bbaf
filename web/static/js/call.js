// The volunteer call page: take a batch, call each contact, walk the script over /ws/call, record results.
// A result is never lost to a dropped connection: each contact call gets one idempotency key
// (crypto.randomUUID), kept in sessionStorage until the server confirms; finish is re-sent on reconnect and,
// if the socket stays down, posted over HTTP with the same key (the server records it once).
//
// The card goes through phases (data-phase on #current, which the CSS reads): idle (no contact), ready
// (a contact, no call yet), dialing (ringing: the script is shown read-only), connected (the voter is on the
// line: the script takes answers), unanswered (nobody to talk to: only the results that fit), done (the
// script ended: Save & next). Saving ends the call: the server hangs up the voter's leg.
import { api, humanize, pageData, show, typingInField } from "./api.js";
import { SimulatedPhone, TwilioPhone } from "./phone.js";
import { ResultDelivery } from "./delivery.js";
import { JsonSocket } from "./socket.js";
import { DialerPool } from "./dialing.js";
import { refreshProgress } from "./progress.js";
import { choiceButtons } from "./steps.js";
import { dialerIdle, nobodyToCall } from "./waiting.js";
import { loadHistory } from "./history.js";
import {
  CONNECTED_STATUSES, FINAL_STATUSES, STATUS_TEXT, drawContact, drawHistory, drawList, drawNobody, drawPhase,
  drawUnanswered,
} from "./call_view.js";
import { CallBackPicker } from "./call_back.js";
import { showCoach } from "./coach.js";
import { Transfer } from "./transfer.js";
import { CallRecording } from "./call_recording.js";
import { atWhen, theirClock, wakeAt } from "./call_time.js";
import { OwnPhone, chosenMethod, drawMethod, rememberMethod } from "./own_phone.js";
import { drawVoicemail, leaveVoicemail } from "./voicemail.js";
import { CallMePanel, CallMePhone, DialInPanel, DialInPhone } from "./call_me.js";
import { ConferenceCallPhone, LegCallPhone } from "./phone_leg_call.js";
import { ModeSwitch } from "./mode_switch.js";

const data = pageData();
let campaign = data.campaign;
const cid = campaign.id;
const transfer = new Transfer(cid, document.getElementById("transfer-status"));
const $ = (id) => document.getElementById(id);
const recording = new CallRecording(campaign, { box: $("record-box"), button: $("record-btn"), status: $("record-status") });
const ui = {
  card: $("current"), notice: $("notice"), name: $("contact-name"), phone: $("contact-phone"),
  fields: $("contact-fields"), about: $("about"), history: $("history"), historyList: $("history-list"),
  historySummary: $("history-summary"), waiting: $("waiting-text"),
  position: $("position"), call: $("call-btn"), hangup: $("hangup-btn"), skip: $("skip-btn"), status: $("call-status"),
  script: $("script"), lock: $("script-lock"), text: $("step-text"), choices: $("choices"), form: $("input-form"),
  input: $("step-input"), back: $("back-btn"), outcome: $("outcome"), result: $("result-text"),
  unanswered: $("unanswered"), unansweredTitle: $("unanswered-title"), unansweredChoices: $("unanswered-choices"),
  again: $("again-btn"), notesBox: $("notes-box"),
  notes: $("notes"), finish: $("finish-btn"), manual: $("manual"), manualResult: $("manual-result"),
  manualSave: $("manual-save"), save: $("save-status"), list: $("contact-list"), more: $("more-btn"),
  conn: $("conn"), fill: $("goal-fill"), progress: $("progress-text"), voterHangup: $("voter-hangup-btn"),
  methodChoice: $("method-choice"), phoneKind: $("phone-kind"), ownPhoneKind: $("own-phone-kind"),
  callerLine: $("caller-line"), ownCallerLine: $("own-caller-line"), tel: $("tel-link"), nobody: $("nobody-btn"),
  voicemail: $("voicemail-btn"),
};

const PENDING_KEY = `dialer.pending.${cid}`;
const DONE_KEY = `dialer.done.${cid}`;
// The notes typed on a call, kept per voter until its result is saved: a reload mid-call resumes the
// call where it was (the server keeps the answers), and the notes come back with it.
const NOTES_KEY = `dialer.notes.${cid}`;
const typedNotes = JSON.parse(sessionStorage.getItem(NOTES_KEY) || "{}"); // contact id -> text

function keepNotes(contactId, text) {
  if (text) typedNotes[contactId] = text;
  else delete typedNotes[contactId];
  sessionStorage.setItem(NOTES_KEY, JSON.stringify(typedNotes));
}
// What was typed into the script's answer field, per voter and step, until the result is saved: a reload
// before Enter brings back what the voter said (the field came back empty), as the notes do.
const TYPED_KEY = `dialer.typed.${cid}`;
const typedByVoter = JSON.parse(sessionStorage.getItem(TYPED_KEY) || "{}"); // contact id -> {step id: text}

function keepTyped(contactId, typed) {
  if (typed && Object.keys(typed).length) typedByVoter[contactId] = typed;
  else delete typedByVoter[contactId];
  sessionStorage.setItem(TYPED_KEY, JSON.stringify(typedByVoter));
}

let batch = null;
let contacts = [];
const done = JSON.parse(sessionStorage.getItem(DONE_KEY) || "{}"); // contact id -> result
let current = null; // contact object shown
let callKey = null; // idempotency key of the current contact call
let started = false; // a call (script walk) is in progress for `current`
let step = null;
let resumeStep = null; // a resumed call's step that came before its contact was on the list
let resumeStatuses = []; // ...and its line's statuses, in order (an answered call that ended: both)
let ended = null; // the `done` message
let connected = false; // the voter has been on the line in this call (the script takes answers)
let lineDown = false; // ...and the call has ended since (the script goes on; no message to leave)
let unansweredResult = null; // the result picked in the unanswered state
let renewTimer = null;
let wakeTimer = null; // when nobody is left to call: the moment somebody is due again
const RELEASE_GRACE_SECONDS = 120; // a closed page's list goes back to the queue after this, unless reloaded
let waitingForNames = false; // the page has no list because nobody could be called
let skipsLeft = 3;

// Power and predictive: no list to work through; the server bridges answered voters to this volunteer.
const dialing = campaign.mode !== "preview";
// Preview calls through the volunteer's conference (the campaign's preview_conference): coachable, transferable.
const conferenceCalls = !dialing && Boolean(campaign.preview_conference);
const DIALER_TEXT = {
  off: "You are not taking calls.",
  waiting: "Waiting for the next voter… keep this page open.",
  talking: "Connected to a voter: read the script.",
  // Paused: the notice above the card says so and why, and the card's heading names it; this line says only
  // what this volunteer will do (a reloaded page said the pause twice over, in the notice and here).
  paused: "You are not taking calls.",
  pausedWanted: "You take calls again when the campaign resumes.",
  reloaded: "The page reloaded, so you stopped taking calls. Press “Start taking calls” to go on.",
};

// How this volunteer calls (dialer/calling_methods.py): through the browser, or from their own phone.
const methods = data.methods || ["browser"];
let method = chosenMethod(cid, methods);
const ownPhone = () => method === "own_phone";
// The volunteer's own phone as their line (call_me.js): the dialer brings voters to it (power, predictive),
// or in preview Call has the server call the chosen voter into it (phone_leg_call.js).
const callMe = methods.includes("call_me") ? new CallMePanel(cid, { onLeg: phoneLegMoved }) : null;
const dialIn = methods.includes("dial_in") ? new DialInPanel(cid) : null;

function makePhone() {
  if (ownPhone()) return new OwnPhone(onPhoneStatus);
  if (method === "call_me" && callMe) {
    return dialing ? new CallMePhone(callMe) : new LegCallPhone(cid, onPhoneStatus, "call_me", () => callMe.connect());
  }
  if (method === "dial_in" && dialIn) {
    if (dialing) return new DialInPhone(dialIn);
    const inbound = new DialInPhone(dialIn);
    return new LegCallPhone(cid, onPhoneStatus, "dial_in", () => inbound.joinConference());
  }
  const browser = data.phone === "twilio" ? new TwilioPhone(cid, onPhoneStatus) : new SimulatedPhone(cid, onPhoneStatus);
  // Preview through a conference: the browser waits in the volunteer's conference; Call brings voters in.
  return conferenceCalls ? new ConferenceCallPhone(cid, onPhoneStatus, browser) : browser;
}

let phone = makePhone();

const HEADING = {
  off: "Press “Start taking calls” when you are ready",
  waiting: "Waiting for the next voter",
  paused: "The campaign is paused",
};

const pool = dialing ? new DialerPool(cid, phone, (state, detail) => {
  const paused = campaign.status === "paused" && state !== "talking";
  const text = paused ? DIALER_TEXT[pool.wanted ? "pausedWanted" : "paused"] : state === "off" && pool.stoppedByReload ? DIALER_TEXT.reloaded : DIALER_TEXT[state];
  $("dialer-state").textContent = detail && !paused ? `${text} (${detail})` : text;
  $("ready-btn").textContent = pool.ready ? "Stop taking calls" : "Start taking calls";
  $("ready-btn").setAttribute("aria-pressed", String(pool.ready));
  show($("ready-btn"), state !== "talking"); // a volunteer on a call finishes it first
  if (!current) ui.name.textContent = HEADING[paused ? "paused" : state] || HEADING.off;
  drawIdle();
}) : null;

// Why the dialer calls nobody now (the socket's `dialer` news), said while this volunteer waits for a voter.
let dialerNews = null;
function drawIdle() {
  const waiting = pool && pool.ready && !pool.talking && campaign.status === "active";
  const text = waiting ? dialerIdle(dialerNews) : "";
  if ($("dialer-idle").textContent !== text) $("dialer-idle").textContent = text;
  show($("dialer-idle"), Boolean(text));
}

const picker = new CallBackPicker({
  box: $("call-back"), input: $("call-back-at"), zone: $("call-back-zone"), hint: $("call-back-hint"),
  error: $("call-back-error"),
  hours: campaign.calling_hours, defaultZone: campaign.default_timezone,
});

let sticky = ""; // a standing problem (e.g. no phone), shown whenever nothing newer is
let campaignNotice = ""; // the campaign is paused or closed
let connectionNotice = ""; // the call socket is down: said first, at the top of the card
// The latest answer, until the server answers it: sent again after a reconnect, whether it was picked with
// the socket down or went into a connection that died unnoticed (the heartbeat gives such a one up).
let heldAnswer = null;
let resuming = false; // a reconnect's start is out: the step it brings says whether heldAnswer still applies
// "Change an answer" went back from the script's end: it goes on back past steps that took no answer (closing
// words, a passage to read, answered with Continue) to the last question the volunteer answered.
let changingAnswer = false;
// What was typed on this call, per step: going back to a typed answer shows it, to fix rather than retype.
let typedAnswers = {};
// The choice picked on this call, per step: going back to a question marks the answer given before.
let pickedChoices = {};
const modeSwitch = new ModeSwitch(cid, campaign.mode);
let modeNotice = modeSwitch.takeNote(); // the organizers switched the mode (until the next call starts)

function notify(message) {
  const text = message || [connectionNotice, campaignNotice, modeNotice, sticky].filter(Boolean).join(" ");
  ui.notice.textContent = text;
  show(ui.notice, Boolean(text));
}

// ---- phases ---------------------------------------------------------------------------------------------

function setPhase(next) {
  drawPhase(ui, next, { hasStep: Boolean(step), hasContact: Boolean(current), skipsLeft, dialing });
  drawMethod(ui, { method, methods, phase: next, contact: current, active: campaign.status === "active" });
  drawVoicemail(ui, { phase: next, method, campaign, dialing, lineDown });
  updatePicker();
}

// The beep: the campaign's message is left on the voter's leg and this volunteer moves on at once.
async function dropVoicemail() {
  const sid = phone.currentSid?.();
  if (!sid || phase() !== "connected") return;
  ui.voicemail.disabled = true;
  try {
    await leaveVoicemail(cid, sid);
  } catch (err) {
    say(`Could not leave the message: ${err.message}`, { problem: true });
    ui.voicemail.disabled = false;
    return;
  }
  finish("voicemail");
}

// The volunteer picked another way to call (between calls only: the choice is locked during one).
async function switchMethod(next) {
  if (started || next === method || !methods.includes(next)) return;
  method = next;
  rememberMethod(cid, method);
  drawPreviewLine();
  if (phone instanceof ConferenceCallPhone) phone.leaveConference(); // one line in the conference at a time
  phone = makePhone();
  try {
    await phone.ready();
  } catch (err) {
    sticky = `The phone could not start (${err.message}).`;
    notify("");
  }
  setPhase(phase());
}

// The start of a call: an own-phone call says so (the server opens its script at once, with no carrier).
function startMessage(contactId) {
  return { type: "start", contact_id: contactId, ...(ownPhone() ? { method: "own_phone" } : {}) };
}

function phase() {
  return ui.card.dataset.phase;
}

// ---- the batch ------------------------------------------------------------------------------------------

async function takeBatch() {
  clearTimeout(wakeTimer);
  notify("");
  let fresh;
  try {
    fresh = await api("POST", `/api/campaigns/${encodeURIComponent(cid)}/batches`);
  } catch (err) {
    nobodyLeft(err);
    return;
  }
  waitingForNames = false;
  show(ui.waiting, false);
  const newList = fresh.id !== batch?.id;
  if (newList) {
    // A new list: a voter in it that this page saved before is a retry, to be called again.
    for (const c of fresh.contacts || []) delete done[c.id];
    sessionStorage.setItem(DONE_KEY, JSON.stringify(done));
  }
  batch = fresh;
  // The open batch handed back (a reload, another tab or device): who was already called in it stays on
  // the list, marked with the result saved, so the list and its numbering are as the volunteer left them.
  for (const c of batch.called || []) done[c.id] = done[c.id] || c.result || "called";
  contacts = [...(batch.called || []), ...(batch.contacts || [])];
  skipsLeft = batch.skips_left ?? skipsLeft;
  show(ui.more, false);
  renderList();
  scheduleRenew();
  selectNext();
  if (resumeStep) HANDLERS.step(resumeStep); // a resumed call that arrived before the list
  // The socket may have restored before this list existed (the old one handed back while the page was
  // away): the server had no list holding the voter then, and resumes the call now that there is one.
  else if (newList && !started) send({ type: "resume" });
}

function nobodyLeft(err) {
  batch = null;
  contacts = [];
  current = null;
  waitingForNames = true;
  renderList();
  const said = nobodyToCall(err);
  drawNobody(ui, said.title, said.text);
  resetPhone();
  show(ui.more, true);
  step = null;
  setPhase("idle");
  // Nothing polls: the campaign's news on the call socket, or this moment, brings the page back.
  if (said.wakeAt) wakeTimer = wakeAt(said.wakeAt, takeBatch);
}

// The open batch again (say, a call-back that came due joined it): new contacts join the list.
async function refreshBatch() {
  if (!batch) {
    if (!started) await takeBatch();
    return;
  }
  try {
    const fresh = await api("POST", `/api/campaigns/${encodeURIComponent(cid)}/batches`);
    if (fresh.id !== batch.id) {
      if (!started && phase() !== "done" && phase() !== "unanswered") {
        batch = fresh;
        contacts = fresh.contacts || [];
        renderList();
        selectNext();
      }
      return;
    }
    const known = new Set(contacts.map((c) => c.id));
    const added = (fresh.contacts || []).filter((c) => !known.has(c.id));
    if (added.length) {
      contacts.push(...added);
      renderList();
      notify(`${added.length === 1 ? "A call-back is" : `${added.length} call-backs are`} due: added to your list.`);
      if (!current && !started) selectNext();
    }
  } catch {
    /* the next renew or call brings it */
  }
}

function scheduleRenew() {
  clearInterval(renewTimer);
  const every = Math.max(30, Math.min((campaign.lease_seconds || 1800) / 3, 300)) * 1000;
  renewTimer = setInterval(renewNow, every);
}

// Keeps the list ours; one that expired meanwhile (a break with the phone locked or offline past the
// campaign's hold) is replaced, said once. Also run when the connection comes back, so that the first Call
// after a break is not refused for a voter handed to someone else.
async function renewNow() {
  if (!batch) return;
  try {
    await api("POST", `/api/batches/${encodeURIComponent(batch.id)}/renew`);
  } catch (err) {
    if (err.status === 410) await freshList();
  }
}

let listRenewedSaid = false;
let refreshing = null; // one replacement at a time: the renew, a refused call and the socket may all notice
function freshList() {
  refreshing = refreshing || (async () => {
    started = false; // the walk belonged to a voter of the old list
    callKey = null;
    step = null;
    resetPhone();
    await takeBatch();
    notify("Your list had expired, so here is a fresh one.");
    listRenewedSaid = true; // until the next call starts
  })().finally(() => { refreshing = null; });
  return refreshing;
}

function releaseBatch(graceSeconds) {
  // An unconfirmed result, or a call in progress (a reload mid-call resumes it), keeps the lease; if the
  // volunteer really left, it expires on its own. A page going away gives its list back after a grace:
  // a reload takes the same list again, with who was already called in it.
  if (!batch || delivery.pending || started) return;
  const grace = graceSeconds ? { headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ after_seconds: graceSeconds }) } : {};
  fetch(`/api/batches/${encodeURIComponent(batch.id)}/release`, {
    method: "POST", credentials: "same-origin", keepalive: true, ...grace,
  }).catch(() => {});
}

function renderList() {
  drawList(ui, { contacts, done, current, started, onSelect: select });
}

function selectNext() {
  const next = contacts.find((c) => !done[c.id]);
  if (!next) {
    current = null;
    drawNobody(ui, "List finished!");
    resetPhone();
    step = null;
    setPhase("idle");
    show(ui.more, true);
    ui.more.focus();
    renderList();
    return;
  }
  select(next);
}

function showContact(contact) {
  // In power and predictive modes voters arrive one at a time: "1 of 1" would say nothing.
  const index = contacts.indexOf(contact);
  drawContact(ui, contact, dialing ? "On the line" : `Contact ${index + 1} of ${contacts.length}`);
  loadHistory(cid, contact).then((entries) => {
    if (current === contact) drawHistory(ui, entries);
  });
}

function select(contact) {
  if (started) return;
  if (contact?.id !== current?.id) transfer.reset();
  current = contact;
  callKey = null;
  step = null;
  ended = null;
  connected = false;
  lineDown = false;
  unansweredResult = null;
  typedAnswers = typedByVoter[contact.id] || {};
  pickedChoices = {};
  ui.notes.value = typedNotes[contact.id] || "";
  ui.manual.open = false;
  ui.manualResult.value = "no_answer";
  picker.reset(contact);
  showContact(contact);
  ui.status.textContent = campaign.status === "paused" ? "The campaign is paused" : "Not calling";
  ui.call.disabled = campaign.status !== "active";
  ui.call.textContent = "Call";
  ui.hangup.disabled = true;
  updateSkip();
  setPhase("ready");
  renderList();
  if (ownPhone() && !ui.tel.hidden) ui.tel.focus();
  else if (!ui.call.disabled) ui.call.focus();
  else if (campaignNotice && !ui.notice.hidden) ui.notice.focus(); // paused: what says why, not the page
}

// The line under the card: news in green, problems in red (and read out: it is a live region).
function say(text, { problem = false } = {}) {
  ui.save.textContent = text;
  ui.save.classList.toggle("error", problem);
}

function resetPhone() {
  ui.status.textContent = "Not calling";
  ui.call.disabled = true;
  ui.call.textContent = "Call";
  ui.hangup.disabled = true;
}

function updateSkip() {
  ui.skip.textContent = `Skip (${skipsLeft} left)`;
}

async function skipContact() {
  if (!current || (started && phase() !== "ready") || !batch) return; // "ready": the call was refused
  const skipped = current;
  try {
    const r = await api("POST", `/api/batches/${encodeURIComponent(batch.id)}/skip`, { contact_id: skipped.id });
    skipsLeft = r.skips_left;
  } catch (err) {
    say(err.message, { problem: true });
    if (err.code === "skip_limit") skipsLeft = 0;
    updateSkip();
    setPhase(phase());
    return;
  }
  contacts = contacts.filter((c) => c.id !== skipped.id);
  started = false; // a refused call's walk goes with its voter
  say(`Skipped ${skipped.first_name || "that voter"}: back in the queue for someone else.`);
  if (contacts.every((c) => done[c.id])) {
    releaseBatch();
    batch = null;
    await takeBatch();
  } else {
    selectNext();
  }
}

// ---- the call -------------------------------------------------------------------------------------------

// A page reloaded mid-call through the volunteer's conference: its line joins the room again, where the
// server held the voter for it (dialer/web/conference_hold.py), so the conversation goes on.
// In power and predictive modes the same holds of the browser's line the dialer bridges voters to, once the
// server says the voter is still this volunteer's (`talking`).
function rejoinConference(dialedVoter = false) {
  const browserLine = phone instanceof SimulatedPhone || phone instanceof TwilioPhone;
  const reconnect = phone instanceof ConferenceCallPhone ? () => phone.join()
    : dialing && dialedVoter && browserLine ? () => phone.joinConference()
    : null;
  reconnect?.().catch((err) => say(`Could not reconnect your line to the call: ${err.message}`, { problem: true }));
}

function beginCall() {
  // One call session per contact (and one idempotency key); dialing again after a busy line keeps both.
  if (started) return;
  started = true;
  say(""); // the last call's "Saved: ..." belonged to that call
  if ((modeNotice && !modeSwitch.waiting) || listRenewedSaid) {
    modeNotice = modeSwitch.waiting ? modeNotice : "";
    listRenewedSaid = false;
    notify("");
  }
  callKey = callKey || crypto.randomUUID();
  renderList();
}

async function placeCall() {
  if (!current || campaign.status !== "active") return;
  if (!started) {
    beginCall();
    send(startMessage(current.id));
  }
  ui.call.disabled = true;
  ui.hangup.disabled = false;
  connected = false;
  lineDown = false;
  unansweredResult = null;
  setPhase("dialing");
  ui.manualResult.value = "no_answer"; // what "Record what happened" offers first while it rings
  ui.hangup.focus(); // the Call button just went disabled under the keyboard
  try {
    await phone.dial(current.id);
  } catch (err) {
    ui.status.textContent = `Could not place the call: ${err.message}`;
    ui.call.disabled = false;
    ui.hangup.disabled = true;
    setPhase("ready"); // no call under way: Skip works again
    if (err.details?.[0]?.reason === "do_not_call") offerResult("do_not_call");
    if (err.details?.[0]?.reason === "not_held" && !connected) await freshList(); // the list expired
  }
}

// A name that cannot be called (put on the do-not-call list since the list was handed out): the result
// that says so is picked under "Record why", with its Save under the keyboard.
function offerResult(code) {
  ui.manual.open = true;
  ui.manualResult.value = code;
  updatePicker();
  ui.manualSave.focus();
}

// Progress from the phone itself (the Voice SDK's events, or the simulated phone's dialing/hang-up).
function onPhoneStatus(status, detail) {
  lineStatus(status, null, detail);
}

// One status of the current contact's line, from the carrier (call socket) or the phone.
function lineStatus(status, suggestion, detail) {
  ui.status.textContent = (STATUS_TEXT[status] || humanize(status)) + (detail ? ` (${detail})` : "");
  if (CONNECTED_STATUSES.has(status) && started && phase() !== "done") {
    connected = true;
    ui.call.disabled = true;
    ui.hangup.disabled = false;
    setPhase("connected");
    if (!ui.manual.open) ui.manualResult.value = "contacted"; // a voter on the line: a conversation
    const first = ui.form.hidden ? ui.choices.querySelector("button") : ui.input;
    const at = document.activeElement;
    // The pause notice had it only because Call was disabled (a reload mid-call while paused): the voter's
    // answers take it, as after any reload mid-call; the notice is still shown and was read out.
    const idle = [document.body, ui.call, ui.hangup, ui.again, ui.tel, ui.notice];
    if (first && (!at || idle.includes(at))) first.focus();
  }
  if (!CONNECTED_STATUSES.has(status) && !FINAL_STATUSES.has(status) && started) {
    ui.call.disabled = true; // ringing (say, after a reload): the call can be hung up, not placed twice
    ui.hangup.disabled = false;
  }
  if (FINAL_STATUSES.has(status)) {
    ui.hangup.disabled = true;
    ui.call.disabled = !current || campaign.status !== "active"; // the line is free: dialing again is allowed
    ui.call.textContent = "Call again";
    if (!connected && started && !ended && phase() !== "done") showUnanswered(suggestion || "no_answer", status);
    else if (connected && phase() === "connected") talkedAndGone();
  }
}

const ENDED_MID_SCRIPT = "The call ended: finish the script, or save what happened below";

// The voter was on the line and the call ended before the script did: finish the script with what they
// said, or save what happened ("Contacted" keeps the answers given so far).
function talkedAndGone() {
  lineDown = true;
  setPhase(phase()); // no "Leave voicemail" with nobody on the line
  ui.status.textContent = ENDED_MID_SCRIPT;
  ui.manualResult.value = "contacted";
  ui.manual.open = true;
  updatePicker();
  // Hang up, pressed from the keyboard, went disabled (or hidden) under it: the keyboard goes on with
  // the script the status asks to finish, not from the top of the page.
  const at = document.activeElement;
  if (!at || at === document.body || at.disabled || !at.offsetParent) {
    (ui.form.hidden ? ui.choices.querySelector("button") : ui.input)?.focus();
  }
}

function showUnanswered(suggested, status) {
  // Only the results that fit and one primary button: the script is gone, so no key logs a conversation.
  unansweredResult = drawUnanswered(ui, suggested, status, (code) => {
    unansweredResult = code;
    updateFinishLabel();
  });
  setPhase("unanswered");
  updateFinishLabel();
  ui.finish.focus();
}

function updateFinishLabel() {
  const result = phase() === "unanswered" ? unansweredResult : ended?.result;
  ui.finish.textContent = result ? `Save: ${humanize(result)} & next` : "Save & next";
  updatePicker();
}

function updatePicker() {
  // A call-back needs a time, in the voter's own time zone and calling hours.
  const p = phase();
  const result = p === "unanswered" ? unansweredResult : p === "done" ? ended?.result : null;
  const manual = !ui.manual.hidden && ui.manual.open && ui.manualResult.value === "call_back";
  // Next to what asked for it: under the "what happened" list, or above Save at the end of the script.
  if (manual) ui.manualResult.after(picker.box);
  else ui.notesBox.before(picker.box);
  picker.show(result === "call_back" || manual);
}

async function hangUp() {
  ui.hangup.disabled = true;
  await phone.hangup();
}

// Power and predictive: end the voter's leg; the volunteer stays in their conference for the next one.
async function hangUpVoter() {
  const sid = pool?.callSid;
  if (!sid) return;
  ui.voterHangup.disabled = true;
  try {
    await api("POST", `/api/campaigns/${encodeURIComponent(cid)}/calls/${encodeURIComponent(sid)}/hangup`);
  } catch (err) {
    say(`Could not hang up: ${err.message}`, { problem: true });
    ui.voterHangup.disabled = false;
  }
}

// ---- the script (from the call socket) ------------------------------------------------------------------

function renderStep(s) {
  if (ui.save.classList.contains("error")) say(""); // the last step's problem is behind
  step = s;
  ended = null;
  ui.text.textContent = s.text;
  const buttons = choiceButtons(s, async (answer) => {
    const picked = s.choices.find((c) => c.index === answer.choice);
    if (picked?.transfer && !(await transfer.start(current?.id, picked.transfer))) return; // hand the voter on first
    if (answer.choice !== undefined) pickedChoices[s.id] = answer.choice;
    sendAnswer({ type: "answer", step: s.id, ...answer }, picked?.label ?? "Continue");
  }, pickedChoices[s.id]);
  ui.choices.replaceChildren(...buttons);
  show(ui.form, Boolean(s.input));
  ui.input.value = (s.input && typedAnswers[s.id]) || "";
  inputProblem("");
  ui.input.type = "text";
  ui.input.inputMode = s.input === "number" ? "numeric" : "text";
  const range = s.min !== undefined && s.max !== undefined ? ` from ${s.min} to ${s.max}`
    : s.min !== undefined ? ` of at least ${s.min}` : s.max !== undefined ? ` of at most ${s.max}` : "";
  $("step-input-label").textContent = s.input === "number" ? `Their answer (a number${range})` : "Their answer";
  ui.back.disabled = false;
  if (phase() === "done" && lineDown) ui.status.textContent = ENDED_MID_SCRIPT;
  if (phase() === "done") setPhase(connected ? "connected" : "dialing"); // after Back from the end
  else setPhase(phase() === "idle" ? "ready" : phase());
  if (phase() === "connected") {
    if (s.input) ui.input.focus();
    else if (buttons.length) buttons[0].focus();
  }
}

function renderDone(message) {
  ended = message;
  step = null;
  ui.choices.replaceChildren();
  show(ui.form, false);
  ui.result.textContent = humanize(message.result);
  if (lineDown) ui.status.textContent = "The call ended: save what happened below"; // the script is done
  setPhase("done");
  updateFinishLabel();
  ui.finish.focus();
}

// A typed answer the step cannot take: said under the field, where the volunteer is typing ("" clears it).
function inputProblem(text) {
  const box = $("step-input-error");
  box.textContent = text;
  show(box, Boolean(text));
  if (text) ui.input.setAttribute("aria-invalid", "true");
  else ui.input.removeAttribute("aria-invalid");
}

function answerInput(event) {
  event.preventDefault();
  if (!step || phase() !== "connected") return;
  let value = ui.input.value.trim();
  if (step.input === "number") {
    const n = Number(value);
    const range = (step.min !== undefined && n < step.min) || (step.max !== undefined && n > step.max);
    if (value === "" || Number.isNaN(n) || range) {
      const from = step.min !== undefined ? ` from ${step.min}` : "";
      const upTo = step.max !== undefined ? ` up to ${step.max}` : "";
      inputProblem(range ? `Please type a number${from}${upTo}.` : "Please type a number.");
      ui.input.focus();
      return;
    }
    value = n;
  }
  inputProblem("");
  typedAnswers[step.id] = ui.input.value.trim();
  keepTyped(current.id, typedAnswers);
  sendAnswer({ type: "answer", step: step.id, value }, String(value));
}

function sendAnswer(message, said) {
  heldAnswer = message;
  if (send(message)) return;
  // No connection: the answer is kept and goes through when it is back. The step cannot move on
  // meanwhile (the server words the next one), so the page says which answer it kept; a tap that
  // changed nothing on screen was tapped again, or another answer tried.
  for (const button of ui.choices.querySelectorAll("button.choice")) {
    if (button.dataset.index === String(message.choice)) button.setAttribute("aria-pressed", "true");
    else button.removeAttribute("aria-pressed");
  }
  keptSaid = said;
  connectionNotice = offlineNotice();
  notify("");
}

let keptSaid = ""; // the answer picked while the connection is down, as the volunteer read it

function offlineNotice() {
  // Once the script has ended there is no answer left to pick: what becomes of the result is said instead.
  const onCall = delivery.pending ? " Your result is kept: it is saved when the connection is back."
    : ["done", "unanswered"].includes(phase()) ? " Press Save: the result is kept until the connection is back."
    : keptSaid ? ` Your answer “${keptSaid}” is kept: it goes through when the connection is back.`
    : started ? " Keep talking: an answer you pick goes through when it is back." : "";
  return `No connection to the server: reconnecting…${onCall}`;
}

// ---- finishing: confirmed once, whatever the connection does ---------------------------------------------

function finish(manualResult) {
  if (!current) return;
  if (transfer.ringing) {
    say("Stay on the line until the staff member answers.", { problem: true });
    return;
  }
  if (!callKey) callKey = crypto.randomUUID(); // a result without a call (e.g. a wrong number on the list)
  const result = manualResult || ended?.result;
  if (!result) return;
  let callBackAt = null;
  if (result === "call_back") {
    const checked = picker.value();
    if (checked.error) {
      say("");
      picker.problem(checked.error);
      return;
    }
    callBackAt = checked.iso;
  }
  ui.finish.disabled = true;
  ui.manualSave.disabled = true;
  say("Saving…");
  delivery.submit({
    batch_id: batch?.id, contact_id: current.id, notes: ui.notes.value, idempotency_key: callKey,
    result, answers: manualResult ? {} : ended?.answers || {}, manual: Boolean(manualResult),
    call_back_at: callBackAt,
  });
}

function finishOnSocket(p) {
  if (!(socket.open && started && p.contact_id === current?.id)) return false;
  const message = { type: "finish", contact_id: p.contact_id, notes: p.notes, idempotency_key: p.idempotency_key };
  if (p.manual) message.result = p.result;
  if (p.call_back_at) message.call_back_at = p.call_back_at;
  return send(message);
}

// `elsewhere`: the voter's result was saved from another tab or window first; this page's was refused.
function confirmed(p, elsewhere = false) {
  done[p.contact_id] = elsewhere ? "saved_elsewhere" : p.result;
  sessionStorage.setItem(DONE_KEY, JSON.stringify(done));
  keepNotes(p.contact_id, ""); // saved with the result
  keepTyped(p.contact_id, null);
  started = false;
  connected = false;
  phone.release(); // the server hung up the voter's leg; the browser lets go of its own
  ui.finish.disabled = false;
  ui.manualSave.disabled = false;
  if (elsewhere) {
    const who = contacts.find((c) => c.id === p.contact_id)?.first_name || "this voter";
    say(`Not saved: a result for ${who} was already saved in another tab or window, and it stands. ` +
      "What you entered here was not recorded.", { problem: true });
  } else {
    say(`Saved: ${humanize(p.result)}.`);
  }
  if (modeSwitch.changeOver()) return; // the campaign's mode changed during the call: the page follows it
  if (p.call_back_at && !elsewhere) {
    const at = new Date(p.call_back_at);
    // Picked on the voter's clock (the picker's zone is still the saved voter's): said on both.
    ui.save.textContent += ` They will be called back ${atWhen(at)} your time${theirClock(at, picker.zone)}.`;
    wakeAt(at, refreshBatch); // if this page is still open then, the call-back comes to this volunteer first
  }
  refreshProgress(cid, ui.fill, ui.progress);
  if (dialing) {
    current = null;
    contacts = [];
    step = null;
    renderList();
    drawNobody(ui, "Waiting for the next voter");
    setPhase("idle");
    show(ui.voterHangup, false);
    recording.end();
    // Back in the pool (the heading follows its state); the keyboard goes to "Stop taking calls", not to
    // the page with the Save button that just went (the next voter's first answer takes it from there).
    pool.callDone().then(() => {
      const at = document.activeElement;
      if ((!at || at === document.body) && !pool.talking) $("ready-btn").focus();
    });
    return;
  }
  if (contacts.every((c) => done[c.id])) {
    releaseBatch();
    batch = null;
    takeBatch().then(() => {
      // The names just called go from the list: said, so that nobody thinks their calls went with them.
      const n = contacts.filter((c) => !done[c.id]).length;
      if (batch && n) ui.save.textContent += ` That was the last voter on your list: here is a new one (${n} ${n === 1 ? "voter" : "voters"}).`;
    });
  } else {
    selectNext();
  }
}

async function rejected(err) {
  ui.finish.disabled = false;
  ui.manualSave.disabled = false;
  if (err.code === "invalid_call_back") {
    say("");
    picker.problem(err.message); // at the field, not in the status line far below it
  } else {
    say(`Could not save: ${err.message}`, { problem: true });
  }
  if (err.status === 410 || err.code === "not_in_batch" || err.code === "lease_expired") await takeBatch();
}

const delivery = new ResultDelivery(PENDING_KEY, {
  viaSocket: finishOnSocket,
  onConfirmed: confirmed,
  onRetrying: () => {
    say("No connection: your result is kept and will be saved when you are back online.", { problem: true });
    if (connectionNotice) {
      connectionNotice = offlineNotice(); // no longer "Press Save": it was pressed
      notify("");
    }
    // Save stays disabled until the result is saved, and the keyboard fell to the page: it goes to what
    // says why (a screen reader reads it), not back to the top of the page.
    const at = document.activeElement;
    if (!ui.notice.hidden && (!at || at === document.body || at.disabled)) ui.notice.focus();
  },
  onRejected: rejected,
  onRecordedElsewhere: (p) => confirmed(p, true),
});

// ---- the campaign: paused, resumed, closed, and news that there is somebody to call again -------------

// The organizers switched between preview and power or predictive: this page is drawn for one of them.
function followMode(mode) {
  const busy = started || delivery.pending || Boolean(pool?.talking);
  const verdict = modeSwitch.heard(mode, busy);
  if (verdict === "reload") modeSwitch.changeOver();
  else if (verdict === "later") modeNotice = modeSwitch.laterText();
  else if (verdict === "same-page") {
    campaign = { ...campaign, mode };
    const kind = $("dialer-box").querySelector(".phone-kind");
    kind.textContent = kind.textContent.replace(/^\w+ dialing/, `${mode[0].toUpperCase()}${mode.slice(1)} dialing`);
  }
}

function onCampaign(m) {
  followMode(m.mode);
  const was = campaign.status;
  campaign = { ...campaign, status: m.status };
  if (m.status === "closed") {
    campaignNotice = "This campaign has ended. Thank you for calling!";
    ui.call.disabled = true;
  } else if (m.status === "paused") {
    campaignNotice = "The organizers paused the campaign. Finish a call in progress; new calls wait until it resumes.";
    if (!started) {
      ui.call.disabled = true;
      if (current) ui.status.textContent = "The campaign is paused";
    }
  } else {
    campaignNotice = "";
    if (current && !started) {
      ui.call.disabled = false;
      ui.status.textContent = "Not calling";
      const at = document.activeElement;
      if (!at || at === document.body || at === ui.notice) ui.call.focus(); // resumed: back on Call
    }
  }
  notify("");
  drawMethod(ui, { method, methods, phase: phase(), contact: current, active: m.status === "active" });
  if (pool && m.status === "active" && pool.wanted && !pool.ready) {
    pool.set(true); // resumed: a volunteer who was taking calls takes them again
  } else if (pool) {
    pool.onChange(pool.talking ? "talking" : pool.ready ? "waiting" : "off");
  }
  // A page with nobody to call takes names again when the campaign resumes (or resumed while the socket
  // was down), when retries are made due or when a list is imported.
  const news = m.reason === "retries_due" || m.reason === "contacts_added";
  if (!dialing && waitingForNames && m.status === "active" && (was !== "active" || news)) takeBatch();
}

// ---- the socket --------------------------------------------------------------------------------------------

function send(message) {
  return socket.send(message);
}

// ---- asking for help, and stepping away (the organizers' roster shows both) -----------------------------

let handRaised = false;

function showHand(raised, by) {
  handRaised = raised;
  $("hand-btn").textContent = raised ? "Lower my hand" : "Ask for help";
  $("hand-btn").setAttribute("aria-pressed", String(raised));
  $("hand-status").textContent = by ? `${by} is coming to help.` : raised ? "Your hand is up: an organizer or your team leader will come to you." : "";
}

// A voter the dialer connected to this volunteer (`bridged`, or `talking` after a reload), on the list.
function dialedVoter(m) {
  const contact = m.contact || { id: m.contact_id };
  if (!contacts.some((c) => c.id === contact.id)) contacts.push(contact);
  return contact;
}

// ...and once they are shown (select resets the card): their line in the pool, the voter's Hang up and,
// for a recording campaign, the notice to read.
function onTheLine(m) {
  connected = true;
  pool.bridged(m.call_sid);
  recording.offer(m.call_sid, m.recording);
  ui.call.disabled = true;
  show(ui.voterHangup, true);
  ui.voterHangup.disabled = false;
}

const HANDLERS = {
  campaign: onCampaign,
  dialer(m) {
    dialerNews = m;
    if (pool) drawIdle();
  },
  hand(m) {
    showHand(m.raised, m.by);
  },
  coach(m) {
    showCoach($("coach-status"), m);
  },
  transfer(m) {
    if (m.contact_id === current?.id) transfer.show(m);
  },
  bridged(m) {
    // The server connected a voter to this volunteer; their script's first step follows.
    if (!dialing || started) return;
    select(dialedVoter(m));
    beginCall();
    onTheLine(m);
    rejoinConference(true); // a page back after its voter was bridged (and held) as the last one went
    ui.status.textContent = STATUS_TEXT["in-progress"];
    setPhase("connected");
  },
  talking(m) {
    // The page was reloaded while its volunteer talks to a voter (power, predictive): the step came first
    // and waits for its voter, who is on no list in these modes; here they are, with their line. So is a
    // preview call still open when the organizers switched to power as the page reloaded.
    const contact = dialedVoter(m);
    if (resumeStep?.contact_id === contact.id) HANDLERS.step(resumeStep);
    else if (current?.id !== contact.id) select(contact);
    if (!dialing) {
      // A power call still open on a page drawn for preview (the mode switched as it reloaded): the
      // dialer's line to the voter is up, so the script takes answers; saving ends that line.
      if (started && !connected) lineStatus("in-progress");
      return;
    }
    onTheLine(m);
    rejoinConference(true); // the voter was held when this page's last leg left: this one takes them back
    if (["ready", "dialing"].includes(phase())) {
      ui.status.textContent = STATUS_TEXT["in-progress"];
      setPhase("connected");
    }
    // The keyboard was on "Start taking calls", which a call hides: it goes to the script's answer.
    const first = ui.form.hidden ? ui.choices.querySelector("button") : ui.input;
    const at = document.activeElement;
    if (first && (!at || [document.body, $("ready-btn")].includes(at))) first.focus();
  },
  recording(m) {
    if (m.status === "started") recording.started();
    else if (m.status === "failed") recording.failed(m.message);
  },
  step(m) {
    if (changingAnswer) {
      const s = m.step;
      const noAnswer = s && !s.choices.length && !s.input;
      if (noAnswer && m.can_go_back !== false && m.contact_id === current?.id && send({ type: "back" })) return;
      changingAnswer = false;
    }
    if (heldAnswer) {
      if (resuming && heldAnswer.step === m.step?.id) send(heldAnswer); // back at the step it answers
      else heldAnswer = null; // its reply, or the call moved on without it
    }
    resuming = false;
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
    if (!started) {
      beginCall(); // e.g. after a reload, the server resumes the call where it was
      if (phase() === "ready") setPhase("dialing");
      rejoinConference();
    }
    renderStep(m.step);
    ui.back.disabled = m.can_go_back === false;
    const parked = resumeStatuses.filter((s) => s.contact_id === m.contact_id);
    resumeStatuses = resumeStatuses.filter((s) => s.contact_id !== m.contact_id);
    parked.forEach((status) => HANDLERS.call_status(status));
  },
  done(m) {
    heldAnswer = null;
    changingAnswer = false;
    if (current && m.contact_id === current.id) renderDone(m);
  },
  phone_leg(m) {
    if (method === "dial_in" && dialIn) {
      dialIn.onLeg(m);
      phoneLegMoved(m.state);
    } else {
      callMe?.onLeg(m);
    }
  },
  recorded(m) {
    delivery.confirm(m.contact_id);
  },
  call_status(m) {
    if (!current || m.contact_id !== current.id) {
      resumeStatuses = [...resumeStatuses.slice(-3), m]; // a resumed call's line, before its contact is shown
      return;
    }
    if (dialing && FINAL_STATUSES.has(m.status)) {
      $("dialer-state").textContent = "The call ended: finish the script, or save what happened below.";
      const at = document.activeElement; // Hang up at the script's end: the keyboard goes on to Save
      const toSave = phase() === "done" && (!at || at === document.body || at === ui.voterHangup);
      show(ui.voterHangup, false);
      if (toSave) ui.finish.focus();
      recording.end();
      if (phase() === "connected") talkedAndGone();
      return;
    }
    if (started && phase() === "ready") setPhase("dialing"); // a call under way (say, after a reload)
    lineStatus(m.status, m.suggested_result);
  },
  error(m) {
    const finishing = ["no_call", "already_completed", "wrong_contact", "not_done", "lease_expired", "not_in_batch"];
    if (delivery.pending && finishing.includes(m.code)) {
      delivery.overHttp(); // the socket cannot take it (e.g. recorded before a drop): HTTP, same key
      return;
    }
    if (delivery.pending && m.code === "invalid_call_back") {
      delivery.clear();
      rejected({ message: m.message, code: m.code, status: 422 });
      return;
    }
    heldAnswer = null; // refused (say, for another step): not to be sent again
    if ((m.code === "not_in_batch" || m.code === "lease_expired") && !connected) {
      freshList(); // the list expired (a break past its hold): a new one, not the voter's id in red
      return;
    }
    say(m.message, { problem: true });
  },
};

const socket = new JsonSocket(`/ws/call/${encodeURIComponent(cid)}`, HANDLERS, {
  heartbeat: { every: 20000, within: 10000 }, // a silently dead connection is given up within 30 s
  onState: (state) => {
    ui.conn.textContent = state;
    if (state === "connected") keptSaid = "";
    const text = state === "connected" ? "" : offlineNotice();
    if (text !== connectionNotice) {
      connectionNotice = text;
      notify("");
    }
  },
  onOpen: () => {
    changingAnswer = false; // the resumed step is shown as it is
    // The server takes a page whose connection closed out of the dialing pool (no voter is bridged to a
    // page that is gone): back, a volunteer who was waiting is in it again now, not at the next heartbeat.
    if (pool?.ready && !pool.talking) pool.set(true, true); // alive: a voter put through meanwhile stays
    if (started && current) {
      send(startMessage(current.id)); // resumes where the call is; its step says if heldAnswer still applies
      resuming = Boolean(heldAnswer);
    } else {
      heldAnswer = null;
      if (!delivery.pending) renewNow(); // back from a break: is the list still ours?
    }
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
  // A held key repeats: one answer per press, not one for each question that comes up under it.
  if (/^[1-9]$/.test(event.key) && phase() === "connected" && !event.repeat) {
    const button = ui.choices.querySelector(`button[data-index="${Number(event.key) - 1}"]`);
    if (button && !button.disabled) {
      event.preventDefault();
      button.click();
    }
  }
});

ui.call.addEventListener("click", placeCall);
// The tel: link dials on the volunteer's phone (its default action, kept) and opens the script here.
ui.tel.addEventListener("click", () => {
  if (phase() === "ready" || phase() === "unanswered") placeCall(); // "unanswered": calling again
});
// The number by the voter's name is a tel: link too. From one's own phone it is the Call link's twin (the
// page says "tap the number": the script opens as it dials); otherwise, or while that link is not offered,
// it would dial from the volunteer's own phone around the campaign's line, untracked.
ui.phone.addEventListener("click", (event) => {
  if (!ownPhone() || ui.tel.hidden) {
    event.preventDefault();
    return;
  }
  if (phase() === "ready" || phase() === "unanswered") placeCall();
});
ui.nobody.addEventListener("click", () => {
  if (phase() !== "connected") return;
  ui.status.textContent = "Nobody to talk to: say what happened, then save";
  showUnanswered("no_answer", "completed");
});
ui.methodChoice.addEventListener("change", (event) => switchMethod(event.target.value));
ui.voicemail.addEventListener("click", dropVoicemail);
ui.hangup.addEventListener("click", hangUp);
ui.voterHangup.addEventListener("click", hangUpVoter);
ui.skip.addEventListener("click", skipContact);
ui.again.addEventListener("click", placeCall);
ui.back.addEventListener("click", () => send({ type: "back" }));
$("change-btn").addEventListener("click", () => {
  changingAnswer = send({ type: "back" }); // a wrong last answer, undone
});
ui.form.addEventListener("submit", answerInput);
ui.notes.addEventListener("input", () => {
  if (current) keepNotes(current.id, ui.notes.value);
});
ui.input.addEventListener("input", () => {
  if (!current || !step?.input) return;
  typedAnswers[step.id] = ui.input.value;
  keepTyped(current.id, typedAnswers);
});
ui.finish.addEventListener("click", () => finish(phase() === "unanswered" ? unansweredResult : null));
ui.manualSave.addEventListener("click", () => finish(ui.manualResult.value));
ui.manualResult.addEventListener("change", updatePicker);
ui.manual.addEventListener("toggle", updatePicker);
ui.more.addEventListener("click", takeBatch);
$("hand-btn").addEventListener("click", () => send({ type: "hand", raised: !handRaised }));
window.addEventListener("offline", () => socket.drop());
window.addEventListener("online", () => socket.retryNow());
document.addEventListener("visibilitychange", () => send({ type: "presence", away: document.hidden }));
window.addEventListener("pagehide", () => {
  if (dialing) pool.leave();
  else releaseBatch(RELEASE_GRACE_SECONDS);
  // A voter on the line is held for the next page (the browser's line in the conference; no phone's).
  if (phone instanceof SimulatedPhone || phone instanceof TwilioPhone) phone.pageGone();
});
if (dialing) $("ready-btn").addEventListener("click", () => pool.toggle());

// The volunteer's phone hung up while taking calls: they are out of the pool, as the server has it.
function phoneLegMoved(state) {
  if (state === "ended" && pool?.ready && method !== "browser" && !pool.talking) {
    pool.wanted = false;
    pool.set(false);
  }
  // Dialing in puts the volunteer in the pool (the server did it on the right PIN): the page follows.
  if (state === "connected" && method === "dial_in" && pool && !pool.ready) {
    pool.wanted = true;
    pool.set(true);
  }
}

// Preview on the volunteer's own phone: its number and code forms (or the dial-in PIN) under "How you call".
function drawPreviewLine() {
  if (dialing) return;
  show($("conference-kind"), conferenceCalls && method === "browser");
  show($("callme-box"), method === "call_me" && Boolean(callMe));
  if (method === "dial_in") dialIn?.open();
  else dialIn?.close();
}

function setUpPreviewLines() {
  for (const input of ui.methodChoice.querySelectorAll("input")) {
    show(input.parentElement, methods.includes(input.value));
  }
  if (!callMe && !dialIn) return;
  for (const box of ["dialin-box", "callme-box"]) ui.methodChoice.after($(box));
  drawPreviewLine();
  // load() shows its box: drawn again after it, for the method chosen.
  callMe?.load().catch((err) => callMe.say(err.message, true)).finally(drawPreviewLine);
}

// Browser or own phone, chosen between calls (kept per device, like the preview choice).
function setUpLineChoice() {
  const choice = $("line-choice");
  const lines = ["browser", "call_me", "dial_in"].filter((m) => methods.includes(m));
  show(choice, lines.length > 1);
  const drawLine = () => {
    if (method === "dial_in") dialIn?.open();
    else dialIn?.close();
  };
  for (const input of choice.querySelectorAll("input")) {
    show(input.parentElement, lines.includes(input.value));
    input.checked = input.value === method;
    input.addEventListener("change", () => {
      if (pool.ready || !input.checked) return;
      method = input.value;
      rememberMethod(cid, method);
      phone = makePhone();
      pool.phone = phone;
      drawLine();
    });
  }
  drawLine();
}

async function main() {
  setPhase("idle");
  try {
    await phone.ready();
  } catch (err) {
    sticky = `The phone could not start (${err.message}).`;
    notify("");
  }
  if (!methods.length) {
    sticky = "This server has no phone line to call through, so this campaign cannot place calls. "
      + "Ask an organizer: preview campaigns can be called from your own phone.";
    notify("");
  }
  if (data.twilio_wanted && data.phone !== "twilio") {
    sticky = "Calling needs the Twilio Voice SDK, which is not installed on this server (make voice-sdk).";
    if (ownPhone()) sticky = "Calling through the browser needs the Twilio Voice SDK, which is not installed on this server (make voice-sdk): call from your own phone meanwhile.";
    notify("");
  }
  socket.connect();
  refreshProgress(cid, ui.fill, ui.progress);
  setInterval(() => refreshProgress(cid, ui.fill, ui.progress), 30000);
  if (delivery.pending) delivery.overHttp(); // left over from a reload: same key, recorded at most once
  if (dialing) {
    show($("dialer-box"), true);
    show($("phone-box"), false);
    if (callMe || dialIn) setUpLineChoice();
    if (callMe) callMe.load().catch((err) => callMe.say(err.message, true));
    ui.name.textContent = "Press “Start taking calls” when you are ready";
    if (pool.stoppedByReload) pool.onChange("off"); // not a silent "You are not taking calls"
    $("ready-btn").focus();
    return;
  }
  setUpPreviewLines();
  drawPreviewLine();
  // A coach on the line and a transfer's progress show next to Call in preview too.
  $("phone-box").after($("coach-status"), $("transfer-status"));
  await takeBatch();
}

main();
