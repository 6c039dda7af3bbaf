// People: search accounts a page at a time, change a role (admins; organizers: volunteer or team leader),
// disable or enable an account, make a password-reset link to hand over by text, read an account's history.
import { api, h, pageData, plural } from "./api.js";

const data = pageData();
const body = document.querySelector("#people tbody");
const more = document.getElementById("people-more");
const status = document.getElementById("people-status");
const errorBox = document.getElementById("people-error");
let query = "";
let cursor = null;
let generation = 0; // the newest list asked for: an older answer arriving after it is dropped

function fail(err) {
  errorBox.textContent = err.message || "That did not work; try again.";
  errorBox.hidden = false;
}

function lastSeen(iso) {
  return iso == null ? "never" : new Date(iso).toLocaleString();
}

// Organizers make a volunteer a team leader and back (PUT /api/users/{id}/leader); other roles are an admin's.
function leaderButton(user) {
  const making = user.role === "volunteer";
  const button = h("button", { type: "button", class: "small" }, making ? "Make team leader" : "Make volunteer");
  button.setAttribute("aria-label", making ? `Make ${user.name} a team leader` : `Make ${user.name} a volunteer again`);
  button.addEventListener("click", async () => {
    errorBox.hidden = true;
    try {
      const row = await api("PUT", `/api/users/${encodeURIComponent(user.id)}/leader`, { leader: making });
      const fresh = render(row);
      document.getElementById(`user-${user.id}`).replaceWith(fresh);
      fresh.querySelector(".leader-toggle button")?.focus();
      status.textContent = making
        ? `${row.name} is now a team leader: they create their team on the Teams page and share its join code.`
        : `${row.name} is a volunteer again.`;
    } catch (err) {
      fail(err);
    }
  });
  return button;
}

function roleCell(user) {
  if (!data.admin && user.id !== data.me && (user.role === "volunteer" || user.role === "leader")) {
    return h("span", { class: "leader-toggle" }, user.role === "leader" ? "team leader" : user.role, " ", leaderButton(user));
  }
  if (!data.admin || user.id === data.me) return user.role;
  const select = h("select", { "aria-label": `Role of ${user.name}` },
    data.roles.map((role) => h("option", { value: role, selected: role === user.role }, role)));
  select.addEventListener("change", async () => {
    errorBox.hidden = true;
    try {
      await api("PUT", `/api/users/${encodeURIComponent(user.id)}/role`, { role: select.value });
      status.textContent = `${user.name} is now a ${select.value}.`;
    } catch (err) {
      select.value = user.role;
      fail(err);
    }
  });
  return select;
}

const resetBox = document.getElementById("reset-box");
const resetLink = document.getElementById("reset-link");
let resetFrom = null; // the button that made the shown link: the keyboard goes back to it

// Organizers reset volunteers' and leaders' passwords; admins anyone's (but their own: the profile page).
function mayReset(user) {
  return user.id !== data.me && (data.admin || user.role === "volunteer" || user.role === "leader");
}

function resetButton(user) {
  const button = h("button", { type: "button", "aria-label": `Reset password of ${user.name}` }, "Reset password");
  button.addEventListener("click", async () => {
    errorBox.hidden = true;
    try {
      const link = await api("POST", `/api/users/${encodeURIComponent(user.id)}/password-reset`);
      resetFrom = button;
      document.getElementById("reset-for").textContent = `A link for ${user.name} (${user.email}) to set a new password:`;
      resetLink.value = link.url;
      document.getElementById("reset-expires").textContent = new Date(link.expires_at).toLocaleString();
      resetBox.querySelector("[data-copy]").textContent = "Copy link";
      resetBox.hidden = false;
      resetLink.focus();
      status.textContent = `A reset link for ${user.name} is ready to copy.`;
    } catch (err) {
      fail(err);
    }
  });
  return button;
}

document.getElementById("reset-done").addEventListener("click", () => {
  resetBox.hidden = true;
  resetLink.value = "";
  if (resetFrom?.isConnected) resetFrom.focus();
});

// An account's history: password links and changes, role changes, disabling, and who did each.
const historyBox = document.getElementById("history-box");
const historyList = document.getElementById("history-list");
let historyFrom = null;

function when(iso) {
  return new Date(iso).toLocaleString();
}

function who(entry) {
  if (entry.user === "admin") return "The admin token";
  if (entry.user === "cli") return "The server's command line";
  return entry.name || entry.user;
}

const DONE = {
  password_reset_link: (e) => `made a password reset link${e.detail.expires_at ? `, valid until ${when(e.detail.expires_at)}` : ""}`,
  password_reset_used: () => "set a new password with a reset link",
  password_changed: () => "changed the password",
  password_set: () => "set the password",
  role_changed: (e) => `changed the role from ${e.detail.before} to ${e.detail.after}`,
  disabled: () => "disabled the account",
  enabled: () => "enabled the account",
};

function historyButton(user) {
  const button = h("button", { type: "button", "aria-label": `History of ${user.name}` }, "History");
  button.addEventListener("click", async () => {
    errorBox.hidden = true;
    try {
      const { entries } = await api("GET", `/api/users/${encodeURIComponent(user.id)}/history`);
      historyFrom = button;
      document.getElementById("history-for").textContent = `${user.name} (${user.email})`;
      historyList.replaceChildren(...entries.map((e) => h("li", {},
        h("time", { datetime: e.at }, when(e.at)), ": ",
        `${who(e)} ${(DONE[e.action] || (() => e.action.replaceAll("_", " ")))(e)}.`)));
      document.getElementById("history-empty").hidden = entries.length > 0;
      historyBox.hidden = false;
      document.getElementById("history-heading").focus();
      status.textContent = `The history of ${user.name}'s account is shown.`;
    } catch (err) {
      fail(err);
    }
  });
  return button;
}

document.getElementById("history-done").addEventListener("click", () => {
  historyBox.hidden = true;
  if (historyFrom?.isConnected) historyFrom.focus();
});

function accountCell(user) {
  if (user.id === data.me) return h("span", { class: "account-actions" }, "you ", historyButton(user));
  const label = user.disabled ? `Enable ${user.name}` : `Disable ${user.name}`;
  const button = h("button", { type: "button", "aria-label": label, class: user.disabled ? "" : "danger" },
    user.disabled ? "Enable" : "Disable");
  button.addEventListener("click", async () => {
    errorBox.hidden = true;
    try {
      const row = await api("PUT", `/api/users/${encodeURIComponent(user.id)}/disabled`, { disabled: !user.disabled });
      document.getElementById(`user-${user.id}`).replaceWith(render(row));
      status.textContent = row.disabled ? `${row.name}'s account is disabled; they are signed out.` : `${row.name} may sign in again.`;
    } catch (err) {
      fail(err);
    }
  });
  return h("span", { class: "account-actions" }, user.disabled ? h("strong", { class: "badge" }, "disabled ") : null, button,
    mayReset(user) && !user.disabled ? [" ", resetButton(user)] : null, " ", historyButton(user));
}

function render(user) {
  const campaigns = user.campaigns.map((c) => `${c.name}: ${c.calls}`).join(", ");
  return h("tr", { id: `user-${user.id}`, class: user.disabled ? "disabled" : "" },
    h("td", { "data-label": "Name" }, h("span", {}, h("strong", {}, user.name), h("br"), h("span", { class: "muted small" }, user.email))),
    h("td", { "data-label": "Role" }, roleCell(user)),
    h("td", { "data-label": "Team" }, user.team ? user.team.name : "–"),
    h("td", { class: "num", title: campaigns, "data-label": "Calls" }, String(user.calls)),
    h("td", { "data-label": "Last seen" }, lastSeen(user.last_seen)),
    h("td", { "data-label": "Account" }, accountCell(user)));
}

async function load(append) {
  errorBox.hidden = true;
  const asked = append ? generation : ++generation;
  const params = new URLSearchParams({ q: query, limit: "25" });
  if (append && cursor) params.set("cursor", cursor);
  try {
    const page = await api("GET", `/api/users?${params}`);
    if (asked !== generation) return; // a search typed since: its answer (or its wait) is what counts
    if (!append) body.replaceChildren();
    body.append(...page.users.map(render));
    cursor = page.next;
    more.hidden = !cursor;
    const shown = body.children.length;
    status.textContent = query ? `${plural(shown, "person", "people")} shown for “${query}”${cursor ? " (more below)" : ""}.` : `${plural(page.total, "account", "accounts")} in all.`;
  } catch (err) {
    if (asked === generation) fail(err);
  }
}

document.getElementById("people-search").addEventListener("submit", (event) => {
  event.preventDefault();
  query = document.getElementById("people-q").value.trim();
  cursor = null;
  load(false);
});
more.addEventListener("click", () => load(true));
load(false);
