// A campaign's activity: its audit log (GET /api/campaigns/{id}/audit), newest first, each action said in
// words an organizer knows ("Paused calling", "Switched from preview to power"), not its code.
import { api, h, humanize, pageData, plural, whileBusy } from "./api.js";

const { campaign } = pageData();
const PAGE = 100; // entries a request: older ones come with "Show older"
const names = {}; // user id -> name, from the entries' `people`
let shown = [];
const $ = (id) => document.getElementById(id);
const person = (id, fallback = "a volunteer") => (id && names[id]) || fallback;
const COACH = { listen: "listening", whisper: "whispering to the volunteer", barge: "talking to both" };
const STATUS = { paused: "Paused calling", active: "Resumed calling", closed: "Closed the campaign" };
const FIELDS = {
  default_timezone: "time zone", caller_id: "caller ID", caller_ids: "local numbers", script_id: "script",
  transfer_targets: "transfer targets", calling_method: "how volunteers connect",
};
const fieldName = (f) => FIELDS[f] || String(f).replaceAll("_", " ");
const mode = (m) => humanize(m).toLowerCase();

// [what was done, more about it]: one function per action the server logs (docs/API-additions.md).
const SAYS = {
  status: (d) => [STATUS[d.to] || `Set the status to ${d.to}`, d.from ? `It was ${d.from}.` : ""],
  mode_switch: (d) => [`Switched the dialing mode from ${mode(d.from)} to ${mode(d.to)}`, ""],
  archive: () => ["Archived the campaign", ""],
  restore: () => ["Restored the campaign from the archive", ""],
  settings: (d) => ["Changed the settings", d.fields?.length ? `Changed: ${d.fields.map(fieldName).join(", ")}.` : ""],
  contacts_upload: (d) => d.background
    ? ["Uploaded a call list", "Imported in the background."]
    : ["Uploaded a call list", `${plural(d.imported ?? 0, "contact", "contacts")} added, ${plural(d.duplicates ?? 0, "duplicate", "duplicates")}, ${plural(d.invalid ?? 0, "line", "lines")} refused.`],
  retries_now: (d) => ["Made waiting retries callable now", `${plural(d.made_due ?? 0, "contact", "contacts")} to call again.`],
  recording_start: () => ["Started recording a call", "The volunteer read the recording notice."],
  coach_join: (d) => [`Joined ${person(d.volunteer)}'s call to coach`, COACH[d.mode] ? `Started by ${COACH[d.mode]}.` : ""],
  coach_switch: (d) => [`Changed how they coach ${person(d.volunteer)}`, COACH[d.mode] ? `Now ${COACH[d.mode]}.` : ""],
  coach_leave: (d) => [`Stopped coaching ${person(d.volunteer)}`, d.seconds !== undefined ? `After ${Math.round(d.seconds)} seconds.` : ""],
  transfer_start: (d) => ["Started a warm transfer", d.target ? `To ${d.target}.` : ""],
  transfer_answered: (d) => ["Handed a voter over in a warm transfer", d.target ? `${d.target} answered.` : ""],
  transfer_failed: (d) => ["A warm transfer did not go through", d.target ? `${d.target} did not answer.` : ""],
  dial_in_wrong_pin: (d) => ["A wrong dial-in PIN was entered", d.attempt ? `Attempt ${d.attempt}.` : ""],
  dial_in_locked: () => ["Dial-in locked after too many wrong PINs", "Callers hear that they should try again later."],
  dial_in_refused: (d) => [`Refused ${person(d.volunteer)}'s dial-in PIN`, "The account was disabled after the PIN was given."],
};

function says(entry) {
  const say = SAYS[entry.action];
  if (say) return say(entry.detail || {});
  return [humanize(entry.action), ""];
}

function row(entry) {
  const [what, more] = says(entry);
  const who = entry.name || person(entry.user, entry.action.startsWith("dial_in") ? "A dial-in caller" : "Someone");
  const when = new Date(entry.at);
  return h("li", { class: "activity-item" },
    h("time", { datetime: entry.at, class: "muted small" }, when.toLocaleString()),
    h("p", { class: "activity-what" }, h("strong", {}, who), " · ", what),
    more ? h("p", { class: "muted small" }, more) : null);
}

async function fetchPage(before) {
  const query = new URLSearchParams({ limit: String(PAGE) });
  if (before) query.set("before", before);
  const entries = await api("GET", `/api/campaigns/${encodeURIComponent(campaign.id)}/audit?${query}`);
  for (const entry of entries) Object.assign(names, entry.people || {});
  return entries;
}

function show(entries, more) {
  const list = $("activity");
  list.append(...entries.map(row));
  shown = shown.concat(entries);
  $("activity-older").hidden = !more;
  $("activity-status").textContent = shown.length
    ? `${plural(shown.length, "action", "actions")} shown, newest first${more ? "; older ones below" : ""}.`
    : "Nothing has happened on this campaign yet.";
}

async function load() {
  try {
    const entries = await fetchPage("");
    $("activity").replaceChildren();
    shown = [];
    show(entries, entries.length === PAGE);
  } catch (err) {
    $("activity-status").textContent = err.message;
  }
}

async function older() {
  const last = shown[shown.length - 1];
  try {
    const entries = await fetchPage(last ? last.id : "");
    show(entries, entries.length === PAGE);
    const first = $("activity").children[shown.length - entries.length];
    if (first) { // the reader carries on from the first older action (keyboard and screen reader alike)
      first.tabIndex = -1;
      first.focus();
    }
  } catch (err) {
    $("activity-status").textContent = err.message;
  }
}

$("activity-refresh").addEventListener("click", (event) => whileBusy(event.currentTarget, load));
$("activity-older").addEventListener("click", (event) => whileBusy(event.currentTarget, older));
load();
