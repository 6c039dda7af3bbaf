// The organizer dashboard: counters pushed over /ws/campaigns/{id}/live (never polled while it is up).
import { api, h, humanize, pageData, plural, show, whileBusy } from "./api.js";
import { JsonSocket } from "./socket.js";
import { atWhen, whenToSay } from "./call_time.js";
import { Roster, drawSurvey } from "./console.js";
import { historyChart, lastHourChart } from "./charts.js";

const data = pageData();
let campaign = data.campaign;
const cid = campaign.id;
const $ = (id) => document.getElementById(id);
let perMinute = data.per_minute.slice(); // 60 buckets, oldest first, the last is `minute`
let minute = data.minute;
let lastCalls = null;
let pollTimer = null;
let waitingRetries = 0;
const teamNames = Object.fromEntries((data.teams || []).map((t) => [t.id, t.name]));
const roster = new Roster(cid, $("roster"), $("roster-count"));
for (const t of data.teams || []) $("survey-team").append(h("option", { value: t.id, text: t.name }));

function renderRoster(rows) {
  roster.update((rows || []).map((r) => ({ ...r, team_name: r.team ? teamNames[r.team] || "" : "" })));
}

// The survey: everyone's comes with each stats message; a team's is fetched when a push says it may move.
async function renderSurvey(overall) {
  const team = $("survey-team").value;
  $("survey-csv").href = `/api/campaigns/${encodeURIComponent(cid)}/survey.csv${team ? `?team=${encodeURIComponent(team)}` : ""}`;
  let survey = overall;
  if (team) {
    try {
      survey = await api("GET", `/api/campaigns/${encodeURIComponent(cid)}/survey?team=${encodeURIComponent(team)}`);
    } catch {
      return;
    }
  }
  drawSurvey($("survey"), $("survey-total"), survey);
}
let lastSurvey = null;

function pct(x) {
  return `${(100 * (x || 0)).toFixed(1).replace(/\.0$/, "")}%`;
}

function roll() {
  const now = Math.floor(Date.now() / 60000);
  while (minute < now) {
    perMinute.push(0);
    perMinute.shift();
    minute += 1;
  }
}

function drawChart() {
  const { svg, top } = lastHourChart(perMinute, $("chart").clientWidth);
  $("chart").replaceChildren(svg);
  $("chart").setAttribute("aria-label", `Calls per minute over the last hour; the scale goes to ${top}`);
}

// The campaign's history by hour (or by day over longer ranges), for the dates picked. A range that reaches
// today follows the live counters (it stayed as the page was opened: "35 calls" under a Calls tile of 55),
// redrawn at most every HISTORY_EVERY ms, since results come in bursts.
const HISTORY_EVERY = 5000;
let today = null; // the campaign's today, as the server's first answer (no dates picked) gave it
let historyLive = false; // the range drawn reaches today
let historyCalls = null; // the Calls tile when it was drawn
let historyTimer = null;

function followHistory(calls) {
  if (historyCalls === null) historyCalls = calls; // drawn before the first counters came
  if (!historyLive || calls === historyCalls || historyTimer) return;
  historyTimer = setTimeout(() => {
    historyTimer = null;
    drawHistory();
  }, HISTORY_EVERY);
}

async function drawHistory() {
  const from = $("history-from").value, to = $("history-to").value;
  const query = new URLSearchParams({ ...(from && { from }), ...(to && { to }) });
  try {
    const tile = lastCalls;
    const data = await api("GET", `/api/campaigns/${encodeURIComponent(cid)}/history?${query}`);
    today ??= data.to;
    historyLive = data.to >= today;
    historyCalls = tile;
    $("history-from").value = data.from;
    $("history-to").value = data.to;
    const { svg } = historyChart(data.hours, data.timezone, $("history-chart").clientWidth);
    $("history-chart").replaceChildren(svg);
    const calls = data.hours.reduce((t, r) => t + r.calls, 0);
    const talked = data.hours.reduce((t, r) => t + r.conversations, 0);
    $("history-note").textContent = `${plural(calls, "call", "calls")} and ${plural(talked, "conversation", "conversations")} from ${data.from} to ${data.to}.`;
  } catch (err) {
    $("history-note").textContent = err.message;
  }
}

function render(s) {
  roll();
  if (s.status && (s.status !== campaign.status || s.mode !== campaign.mode)) {
    campaign = { ...campaign, status: s.status, mode: s.mode ?? campaign.mode };
    renderStatus();
  }
  if (lastCalls !== null && s.calls > lastCalls) perMinute[perMinute.length - 1] += s.calls - lastCalls;
  lastCalls = s.calls;
  followHistory(s.calls);
  $("calls").textContent = s.calls;
  $("contacts_reached").textContent = s.contacts_reached;
  $("contact_rate").textContent = pct(s.contact_rate);
  $("active_volunteers").textContent = s.active_volunteers;
  $("calls_last_hour").textContent = s.calls_last_hour;
  $("abandon_rate").textContent = s.abandon_rate === null || s.abandon_rate === undefined ? "–" : pct(s.abandon_rate);
  // Not yet called: waiting in the queue or in a volunteer's list (a list handed back must not raise it),
  // and why those waiting are not called now.
  $("pending").textContent = s.pending === null || s.pending === undefined ? "–" : s.pending + (s.leased || 0);
  renderToCall(s.to_call);
  if (s.survey) {
    lastSurvey = s.survey;
    renderSurvey(s.survey);
  }
  $("skipped").textContent = s.skipped ? `${plural(s.skipped, "voter was", "voters were")} skipped by volunteers (no call made; back in the queue).` : "";
  // Power and predictive modes: how hard the dialer works and how long volunteers wait between voters.
  const dialing = s.mode && s.mode !== "preview" && s.dialer;
  for (const tile of document.querySelectorAll(".dialer-only")) tile.hidden = !dialing;
  if (dialing) {
    $("mode").textContent = s.mode.charAt(0).toUpperCase() + s.mode.slice(1);
    $("dial_ratio").textContent = Number(s.dialer.dial_ratio || 0).toFixed(2);
    // The cap is kept per 30-day period (the pacer plans with it); the tile above is the whole campaign.
    const period = s.dialer.period;
    $("abandon_period").textContent = period && period.started_at ? pct(period.abandon_rate) : "–";
    const wait = s.dialer.mean_wait_seconds;
    $("mean_wait").textContent = wait === null || wait === undefined ? "–" : `${Math.round(wait)} s`;
  }
  const goal = s.goal ?? campaign.goal;
  if (goal) {
    const share = Math.min(1, s.contacts_reached / goal);
    $("thermo-fill").style.height = `${(100 * share).toFixed(1)}%`;
    // "Reached" (result Contacted), as the Contacts reached tile: the history and the teams count
    // conversations (refusals, do-not-calls and call-backs too), a larger number.
    $("goal-text").textContent = `${s.contacts_reached} of ${goal} voters reached (${pct(share)})`;
    $("goal-eta").textContent = s.goal_eta
      ? `At the last hour's pace (${plural(s.reached_last_hour ?? 0, "voter", "voters")} reached), the goal would be reached ${atWhen(new Date(s.goal_eta))}.`
      : s.contacts_reached >= goal ? "Goal reached!" : "No estimate yet: nobody reached in the last hour.";
  } else {
    $("thermo-fill").style.height = "0";
    $("goal-text").textContent = `${plural(s.contacts_reached, "voter", "voters")} reached; no goal set.`;
    $("goal-eta").textContent = "";
  }
  const results = Object.entries(s.results || {}).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  const total = results.reduce((t, [, n]) => t + n, 0) || 1;
  $("results").tBodies[0].replaceChildren(
    ...(results.length ? results : [["none yet", 0]]).map(([code, n]) => h("tr", { "data-code": code },
      h("td", { text: humanize(code) }), h("td", { class: "num", text: n }),
      h("td", { class: "barcol" }, h("span", { class: "hbar", style: null, "data-w": (100 * n) / total })))),
  );
  for (const bar of $("results").querySelectorAll(".hbar")) bar.style.width = `${bar.dataset.w}%`;
  const board = s.leaderboard || [];
  if (!board.length) $("leaderboard").replaceChildren(h("li", { class: "muted", text: "No calls yet." }));
  else $("leaderboard").replaceChildren(
    ...board.map((row, i) => h("li", {}, h("span", { text: `${i + 1}. ${row.name}` }), h("strong", { text: row.calls }))),
  );
  const teams = s.teams || [];
  $("teams-heading").hidden = $("team-leaderboard").hidden = !teams.length;
  $("team-leaderboard").replaceChildren(
    ...teams.map((row, i) => h("li", {}, h("span", { text: `${i + 1}. ${row.name}` }), h("strong", { text: row.calls }))),
  );
  drawChart();
}

function renderToCall(t) {
  if (!t) return;
  const parts = [`${t.ready} ready now`];
  // Power, predictive: cells without consent are callable now, but not by the dialer (preview mode only).
  if (t.not_dialable) parts.push(`${plural(t.not_dialable, "cell phone", "cell phones")} the dialer may not call (no consent: preview only)`);
  parts.push(`${t.in_lists} in volunteers' lists`);
  const next = t.next_due_at && !t.ready ? ` (from ${whenToSay(new Date(t.next_due_at))})` : "";
  parts.push(`${t.waiting_retry} waiting for a retry${t.waiting_retry ? next : ""}`);
  // Before the day opens everyone is outside calling hours: when they open (the earliest voter's 9 am).
  const opens = t.next_due_at && !t.ready && !t.waiting_retry && t.outside_hours
    ? ` (calling opens ${whenToSay(new Date(t.next_due_at))})` : "";
  parts.push(`${t.outside_hours} outside calling hours now${opens}`);
  $("to-call").replaceChildren(...parts.map((text) => h("span", { text })));
  waitingRetries = t.waiting_retry;
  show($("retries-btn"), waitingRetries > 0 && campaign.status !== "closed");
  $("retries-btn").textContent = `Call ${plural(waitingRetries, "retry", "retries")} now`;
}

async function retriesNow() {
  await whileBusy($("retries-btn"), async () => {
    try {
      const r = await api("POST", `/api/campaigns/${encodeURIComponent(cid)}/retries-now`);
      $("notice").textContent = `${plural(r.made_due, "voter", "voters")} waiting for a retry can be called now.`;
    } catch (err) {
      $("notice").textContent = err.message;
    }
    show($("notice"), true);
  });
}

function renderStatus() {
  $("status").textContent = campaign.status;
  $("mode").textContent = humanize(campaign.mode);
  const paused = campaign.status === "paused";
  $("pause-btn").textContent = paused ? "Resume calling" : "Pause calling";
  $("pause-btn").disabled = campaign.status === "closed";
}

async function togglePause() {
  const status = campaign.status === "paused" ? "active" : "paused";
  try {
    campaign = await api("PATCH", `/api/campaigns/${encodeURIComponent(cid)}`, { status });
    renderStatus();
  } catch (err) {
    $("notice").textContent = err.message;
    show($("notice"), true);
  }
}

async function poll() {
  try {
    render(await api("GET", `/api/campaigns/${encodeURIComponent(cid)}/stats`));
  } catch {
    /* try again on the next tick */
  }
}

// The live counters: pushed at least every 15 s, so a heartbeat that hears nothing for 30 s gives the
// connection up (one that died without a word showed stale counters as "live"); polled while it is down.
const live = new JsonSocket(`/ws/campaigns/${encodeURIComponent(cid)}/live`, {
  stats: render,
  roster: (message) => renderRoster(message.volunteers),
  campaign: (message) => {
    // Another organizer paused, resumed or switched the mode: {type, campaign_id, status, mode}.
    campaign = { ...campaign, status: message.status ?? campaign.status, mode: message.mode ?? campaign.mode };
    renderStatus();
  },
}, {
  maxDelay: 10000,
  heartbeat: { every: 20000, within: 10000 },
  onOpen: () => {
    clearInterval(pollTimer);
    pollTimer = null;
    $("live").textContent = "live";
  },
  onState: (state) => {
    if (state === "connected") return;
    $("live").textContent = "reconnecting… (refreshing every 10 s meanwhile)";
    if (!pollTimer) pollTimer = setInterval(poll, 10000);
  },
});

$("pause-btn").addEventListener("click", togglePause);
$("retries-btn").addEventListener("click", retriesNow);
$("survey-team").addEventListener("change", () => renderSurvey(lastSurvey));
$("history-form").addEventListener("submit", (event) => {
  event.preventDefault();
  drawHistory();
});
drawHistory();
renderStatus();
drawChart();
setInterval(() => {
  roll();
  drawChart();
}, 60000);
poll();
live.connect();

// An archived campaign's dashboard says so (it read "status active", yet nobody could call it): restoring
// puts it back in volunteers' lists.
$("restore-btn")?.addEventListener("click", (event) => whileBusy(event.currentTarget, async () => {
  try {
    await api("PATCH", `/api/campaigns/${encodeURIComponent(cid)}`, { archived: false });
    location.reload();
  } catch (err) {
    $("archived-note").append(" ", h("span", { class: "form-error", text: err.message }));
  }
}));
