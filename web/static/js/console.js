// The dashboard's console: who is calling (the roster, pushed as `roster` messages) and what voters say
// (the survey, in every `stats` message; a team's on request). Drawing only: dashboard.js feeds it.
import { api, h, humanize } from "./api.js";
import { coachControls } from "./coach.js";

const STATE_TEXT = { waiting: "Waiting", ringing: "Ringing", talking: "Talking", wrap_up: "Wrapping up", away: "Away" };
const FLAG_TEXT = { idle: "idle 5+ min", short_calls: "very short calls" };
const STATE_ORDER = ["talking", "ringing", "wrap_up", "waiting", "away"];

function minutes(seconds) {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const m = Math.floor(seconds / 60);
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export class Roster {
  constructor(campaignId, table, count) {
    this.campaignId = campaignId;
    this.table = table;
    this.count = count;
    this.rows = [];
    this.sort = { key: "name", down: false };
    for (const button of table.querySelectorAll("button.sort")) {
      button.addEventListener("click", () => this.sortBy(button.dataset.sort));
    }
    // The rows are drawn anew with every push: the keyboard keeps its place (this row's button, by its
    // key). A button disabled while its request runs drops the focus to the page without a focusin, so
    // the place is let go only when the focus or a click goes somewhere else.
    this.place = null;
    table.addEventListener("focusin", (e) => { this.place = rosterPlace(e.target); });
    for (const type of ["focusin", "mousedown"]) {
      document.addEventListener(type, (e) => { if (!table.tBodies[0].contains(e.target)) this.place = null; });
    }
    setInterval(() => this.draw(), 15000); // "for 3 min" moves on between pushes
  }

  update(rows) {
    this.rows = rows || [];
    this.draw();
  }

  sortBy(key) {
    this.sort = { key, down: this.sort.key === key ? !this.sort.down : key !== "name" };
    this.draw();
  }

  sorted() {
    const { key, down } = this.sort;
    const value = (r) => (key === "state" ? STATE_ORDER.indexOf(r.state) : key === "name" ? r.name.toLowerCase() : r[key]);
    return [...this.rows].sort((a, b) => {
      if (a.hand_raised !== b.hand_raised) return a.hand_raised ? -1 : 1; // a raised hand stays on top
      const [x, y] = [value(a), value(b)];
      return (x < y ? -1 : x > y ? 1 : 0) * (down ? -1 : 1);
    });
  }

  draw() {
    const now = Date.now();
    this.count.textContent = this.rows.length ? `(${this.rows.length} online)` : "";
    for (const th of this.table.querySelectorAll("th")) th.removeAttribute("aria-sort");
    const active = this.table.querySelector(`button[data-sort="${this.sort.key}"]`);
    active?.closest("th").setAttribute("aria-sort", this.sort.down ? "descending" : "ascending");
    const body = this.table.tBodies[0];
    const at = document.activeElement;
    const place = !at || at === document.body || body.contains(at) ? this.place : null;
    if (!this.rows.length) {
      body.replaceChildren(h("tr", {}, h("td", { colspan: 8, class: "muted", text: "Nobody is calling right now." })));
      return;
    }
    body.replaceChildren(...this.sorted().map((r) => {
      const since = (now - new Date(r.since).getTime()) / 1000;
      const flags = (r.flags || []).map((f) => h("span", { class: "flag", text: FLAG_TEXT[f] || f }));
      return h("tr", { class: `state-${r.state}${r.hand_raised ? " hand" : ""}`, "data-volunteer": r.volunteer },
        h("th", { scope: "row" }, r.name, r.team_name ? h("span", { class: "muted small", text: ` · ${r.team_name}` }) : null),
        h("td", {}, h("span", { class: `state state-${r.state}`, text: STATE_TEXT[r.state] || humanize(r.state) }),
          h("span", { class: "muted small", text: ` for ${minutes(Math.max(0, since))}` }), ...flags),
        h("td", { class: "num", "data-label": "Calls", text: r.calls }),
        h("td", { class: "num", "data-label": "Talked", text: r.conversations }),
        h("td", { class: "num", text: `${Math.round(100 * r.contact_rate)}%` }),
        h("td", { class: "num", text: minutes(r.talk_seconds) }),
        h("td", { class: "num", title: `${Math.round(r.conversations_per_hour)} conversations an hour`, text: Math.round(r.calls_per_hour) }),
        h("td", {}, r.hand_raised ? h("button", {
          type: "button", class: "primary", "data-key": "answer", onclick: (e) => this.answer(r, e.target),
        }, `Answer ${r.name.split(" ")[0]}`) : null, coachControls(this.campaignId, r, () => this.draw())));
    }));
    if (place) returnTo(body, place);
  }

  async answer(row, button) {
    button.disabled = true;
    try {
      await api("POST", `/api/campaigns/${encodeURIComponent(this.campaignId)}/roster/${encodeURIComponent(row.volunteer)}/hand`, { raised: false });
    } catch (err) {
      button.disabled = false;
      button.textContent = err.message;
    }
  }
}

// A roster button as a place to come back to: its volunteer's row and its key.
function rosterPlace(node) {
  const button = node.closest?.("button");
  const row = node.closest?.("tr[data-volunteer]");
  return button && row ? { volunteer: row.dataset.volunteer, key: buttonKey(button) } : null;
}

function buttonKey(button) {
  return button.dataset.key || button.dataset.coach || button.textContent;
}

// Back to the same button of the same volunteer's row, or the row's first one when that button is gone
// (an answered hand); nowhere when the volunteer left.
function returnTo(body, place) {
  const row = [...body.rows].find((r) => r.dataset.volunteer === place.volunteer);
  const buttons = row ? [...row.querySelectorAll("button")].filter((b) => !b.disabled) : [];
  const target = buttons.find((b) => buttonKey(b) === place.key) || buttons[0];
  if (target) {
    target.focus();
    return true;
  }
  return false;
}

export function drawSurvey(container, total, survey) {
  const questions = survey?.questions || [];
  total.textContent = survey ? `${survey.conversations} ${survey.conversations === 1 ? "conversation" : "conversations"}` : "";
  if (!questions.length) {
    container.replaceChildren(h("p", { class: "muted", text: "No answers yet." }));
    return;
  }
  container.replaceChildren(...questions.map((q) => h("figure", { class: "question" },
    h("figcaption", {}, h("strong", { text: humanize(q.key) }), h("span", { class: "muted small", text: ` ${q.text}` })),
    h("table", { class: "answers-table" }, h("tbody", {}, ...q.answers.map((a) => h("tr", {},
      h("th", { scope: "row", text: a.label }),
      h("td", { class: "num", text: a.count }),
      h("td", { class: "num muted", text: `${Math.round(100 * a.share)}%` }),
      h("td", { class: "barcol" }, h("span", { class: "hbar", "data-w": 100 * a.share })))))))));
  for (const bar of container.querySelectorAll(".hbar")) bar.style.width = `${bar.dataset.w}%`;
}
