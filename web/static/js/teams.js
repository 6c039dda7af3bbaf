// Teams: create, rename, join code, goal and progress in a campaign, members, move a member (organizers).
import { api, h, pageData, plural } from "./api.js";
import { Roster } from "./console.js";

const data = pageData();
const holder = document.getElementById("teams");
const errorBox = document.getElementById("teams-error");
const status = document.getElementById("teams-status");
const picker = document.getElementById("progress-campaign");

function fail(err) {
  errorBox.textContent = err.message || "That did not work; try again.";
  errorBox.hidden = false;
}

async function act(work, done) {
  errorBox.hidden = true;
  try {
    await work();
    await refresh();
    status.textContent = done; // after the redraw: what it says is on the page
  } catch (err) {
    fail(err);
  }
}

function progressText(team) {
  const p = team.progress;
  if (!p) return "Pick a campaign to see progress.";
  const goal = team.goal ? ` of ${team.goal.toLocaleString()} (${Math.round((100 * p.calls) / team.goal)}%)` : "";
  return `${plural(p.calls, "call", "calls")}${goal}, ${plural(p.conversations, "conversation", "conversations")}` +
    (p.today ? " in all" : "") +
    (p.rank ? ` (${ordinal(p.rank)} of ${plural(p.teams, "team", "teams")}; ${p.campaign_calls.toLocaleString()} calls in the whole campaign)` : "") +
    (p.today ? `. ${dayText("Today", p.today)}; ${dayText("yesterday", p.yesterday)}.` : "");
}

function ordinal(n) {
  const tens = n % 100, ones = n % 10;
  const suffix = tens >= 11 && tens <= 13 ? "th" : ones === 1 ? "st" : ones === 2 ? "nd" : ones === 3 ? "rd" : "th";
  return `${n.toLocaleString()}${suffix}`;
}

// A day's figures (the campaign's day, in its time zone), as the members' rows and the team's line say them.
function dayText(when, day) {
  return `${when} ${plural(day.calls, "call", "calls")}, ${plural(day.conversations, "conversation", "conversations")}`;
}

function memberRow(team, member) {
  const cells = [h("span", {}, member.name, " ", h("span", { class: "muted small" }, member.email)),
    typeof member.calls === "number" ? h("span", { class: "muted member-figures" }, ` · ${plural(member.calls, "call", "calls")}` +
      (member.today ? ` (${dayText("today", member.today)}; ${dayText("yesterday", member.yesterday)})` : "")) : null];
  if (data.organizer) {
    const others = data.all_teams.filter((t) => t.id !== team.id);
    if (others.length) {
      const select = h("select", { "aria-label": `Move ${member.name} to` },
        others.map((t) => h("option", { value: t.id }, t.name)));
      const move = h("button", { type: "button", "aria-label": `Move ${member.name}` }, "Move");
      move.addEventListener("click", () => act(
        () => api("PUT", `/api/teams/${select.value}/members/${member.id}`),
        `${member.name} moved to ${select.selectedOptions[0].textContent}.`));
      cells.push(" ", select, " ", move);
    }
    // Hand the team over: a team made by an organizer (who then leads it) gets its own leader.
    if (member.id !== team.leader) {
      const lead = h("button", { type: "button", "aria-label": `Make ${member.name} the leader of ${team.name}` },
        "Make leader");
      lead.addEventListener("click", () => act(
        () => api("PATCH", `/api/teams/${team.id}`, { leader: member.id }),
        `${member.name} now leads ${team.name}.`));
      cells.push(" ", lead);
    }
  }
  return h("li", {}, ...cells);
}

// Who leads the team: a page listing teams never said, so an organizer could not tell whose team was whose.
function leaderName(team) {
  const leader = team.members.find((m) => m.id === team.leader);
  return leader ? leader.name : "someone no longer in it";
}

function card(team) {
  const rename = h("form", { class: "inline-form" },
    h("label", { for: `name-${team.id}` }, "Name"),
    h("input", { id: `name-${team.id}`, type: "text", maxlength: "80", required: true, value: team.name }),
    h("button", { type: "submit" }, "Rename"));
  rename.addEventListener("submit", (event) => {
    event.preventDefault();
    const name = rename.querySelector("input").value.trim();
    act(() => api("PATCH", `/api/teams/${team.id}`, { name }), `Renamed to ${name}.`);
  });
  const goal = h("form", { class: "inline-form" },
    h("label", { for: `goal-${team.id}` }, "Goal (calls)"),
    h("input", { id: `goal-${team.id}`, type: "number", min: "1", max: "10000000", value: team.goal ?? "" }),
    h("button", { type: "submit" }, "Set goal"));
  goal.addEventListener("submit", (event) => {
    event.preventDefault();
    const raw = goal.querySelector("input").value;
    act(() => api("PATCH", `/api/teams/${team.id}`, { goal: raw ? Number(raw) : null }), "Goal saved.");
  });
  return h("section", { class: "card team", id: `team-${team.id}`, "aria-label": team.name },
    h("h2", {}, team.name),
    h("p", { class: "team-leader" }, "Led by ", h("strong", {}, leaderName(team))),
    h("p", {}, "Join code ", h("strong", { class: "join-code" }, team.join_code)),
    h("p", { class: "muted small" }, "Volunteers join by typing it on their profile page (their name at the top ",
      "of any page, once signed in), under “Your team”. Their calls count for the team from then on."),
    h("p", { class: "progress-line" }, progressText(team)),
    rename, goal,
    h("h3", {}, `Members (${team.members.length})`),
    // The team's figures count the calls made as its members; a member's own, all of theirs in the campaign.
    team.progress ? h("p", { class: "muted small members-note" }, "A member's figures are all their calls in ",
      "this campaign, also those made before they joined the team; the team's count only calls made in it.") : null,
    h("ul", { class: "members" }, team.members.map((m) => memberRow(team, m))));
}

async function refresh() {
  const campaign = picker.value;
  const query = campaign ? `?campaign_id=${encodeURIComponent(campaign)}` : "";
  const list = await api("GET", "/api/teams");
  const mine = data.organizer ? list : list.filter((t) => data.teams.some((d) => d.id === t.id));
  const details = await Promise.all(mine.map((t) => api("GET", `/api/teams/${t.id}${query}`)));
  if (data.organizer) data.all_teams = details.map((t) => ({ id: t.id, name: t.name }));
  holder.replaceChildren(...details.map(card));
  document.getElementById("no-teams")?.toggleAttribute("hidden", details.length > 0);
}

// One team a press: a double click on "Create the team" made two teams of one name, with two join codes.
let creating = false;
document.getElementById("team-new").addEventListener("submit", (event) => {
  event.preventDefault();
  if (creating) return;
  creating = true;
  const input = document.getElementById("new-team-name");
  const name = input.value.trim();
  act(async () => {
    const team = await api("POST", "/api/teams", { name });
    data.teams.push(team);
    input.value = "";
    // A leader leads one team: a second would take them (and what they see) away from the first.
    if (!data.organizer) document.getElementById("new-team-card").hidden = true;
  }, `${name} created.`).then(() => teamMade()).finally(() => { creating = false; });
});
let teamMade = () => {};
picker.addEventListener("change", () => refresh().catch(fail));
refresh().catch(fail);

// A leader's team at work in the picked campaign, raised hands on top (the dashboard's roster, which only
// organizers open; its pushes are theirs too, so this asks every few seconds). A leader with no team yet
// is told where the table comes from rather than shown an error.
const rosterTable = document.getElementById("roster");
if (rosterTable && picker.value) {
  const roster = new Roster(picker.value, rosterTable, document.getElementById("roster-count"));
  const note = document.getElementById("roster-note");
  const said = note.textContent;
  const load = async () => {
    const campaign = picker.value;
    try {
      const rows = await api("GET", `/api/campaigns/${encodeURIComponent(campaign)}/roster`);
      if (campaign !== picker.value) return; // another campaign was picked meanwhile
      roster.campaignId = campaign;
      roster.update(rows);
      note.textContent = said;
      // The members' figures move with the roster's (a card frozen at page load contradicted it), but not
      // under a leader typing a new name or goal.
      if (!holder.contains(document.activeElement)) await refresh();
    } catch (err) {
      note.textContent = err.status === 403 ? "Your team's volunteers show here once you lead a team: create one above." : err.message;
    }
  };
  const answer = roster.answer.bind(roster);
  roster.answer = async (row, button) => {
    await answer(row, button);
    await load(); // the hand is down: shown now, not at the next look
  };
  picker.addEventListener("change", load);
  teamMade = load;
  load();
  setInterval(load, 5000);
}
