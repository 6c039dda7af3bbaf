// The do-not-call list: count, search (a number or a prefix), remove with a reason, add, upload, audit.
import { api, displayPhone, h, plural } from "./api.js";
import { DNC_LEFT_OUT } from "./import_report.js";

const count = document.getElementById("dnc-count");
const list = document.getElementById("dnc-list");
const more = document.getElementById("dnc-more");
const status = document.getElementById("dnc-status");
const errorBox = document.getElementById("dnc-error");
const removeForm = document.getElementById("dnc-remove");
const reason = document.getElementById("remove-reason");
let query = "";
let after = null;
let removing = null;
let generation = 0; // the newest list asked for: an older answer arriving after it is dropped
let auditGeneration = 0;

function fail(err) {
  errorBox.textContent = err.message || "That did not work; try again.";
  errorBox.hidden = false;
}

function row(phone) {
  return h("li", { id: `dnc-${phone.slice(1)}` },
    h("span", { class: "phone" }, displayPhone(phone)), " ",
    h("button", { type: "button", "aria-label": `Remove ${displayPhone(phone)}`, onclick: () => askReason(phone) }, "Remove"));
}

function askReason(phone) {
  removing = phone;
  document.getElementById("remove-phone").textContent = displayPhone(phone);
  removeForm.hidden = false;
  reason.value = "";
  reason.focus();
}

async function load(append) {
  errorBox.hidden = true;
  const asked = append ? generation : ++generation;
  const params = new URLSearchParams({ q: query, limit: "50" });
  if (append && after) params.set("after", after);
  try {
    const started = performance.now();
    const page = await api("GET", `/api/dnc?${params}`);
    const ms = Math.round(performance.now() - started);
    if (asked !== generation) return; // a search typed since: its answer is what counts
    count.textContent = page.count.toLocaleString();
    if (!append) list.replaceChildren();
    list.append(...page.phones.map(row));
    after = page.next;
    more.hidden = !after;
    if (query) {
      status.textContent = page.phones.length || append
        ? `${plural(list.children.length, "number", "numbers")} found for “${query}” (${ms} ms).`
        : `“${query}” is not on the list.`;
    } else {
      status.textContent = "";
    }
  } catch (err) {
    if (asked === generation) fail(err);
  }
}

async function loadAudit(before) {
  const asked = before ? auditGeneration : ++auditGeneration;
  const params = new URLSearchParams({ limit: "20" });
  if (before) params.set("before", before);
  const page = await api("GET", `/api/dnc/audit?${params}`);
  if (asked !== auditGeneration) return; // the changes were asked for again since (a removal, an upload)
  const tbody = document.querySelector("#dnc-audit tbody");
  if (!before) tbody.replaceChildren();
  for (const e of page.entries) {
    const what = e.action === "remove" ? `removed ${displayPhone(e.phone)}`
      : e.action === "upload" ? `uploaded ${plural(Number(e.count), "number", "numbers")} (${plural(Number(e.rejected), "entry", "entries")} not added)`
      : e.phone ? `added ${displayPhone(e.phone)}` : `added ${plural(Number(e.count), "number", "numbers")}`;
    tbody.append(h("tr", {}, h("td", {}, new Date(e.at).toLocaleString()),
      h("td", {}, e.by_name), h("td", {}, what), h("td", {}, e.reason || "")));
  }
  const older = document.getElementById("audit-more");
  older.hidden = !page.next;
  older.onclick = () => loadAudit(page.next);
}

document.getElementById("dnc-search").addEventListener("submit", (event) => {
  event.preventDefault();
  query = document.getElementById("dnc-q").value.trim();
  after = null;
  load(false);
});
more.addEventListener("click", () => load(true));

removeForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  errorBox.hidden = true;
  try {
    await api("POST", "/api/dnc/removals", { phone: removing, reason: reason.value });
    removeForm.hidden = true;
    await Promise.all([load(false), loadAudit()]);
    status.textContent = `${displayPhone(removing)} is off the list; the reason is in the changes below.`;
  } catch (err) {
    fail(err);
  }
});
document.getElementById("remove-cancel").addEventListener("click", () => { removeForm.hidden = true; });

function report(result) {
  const rejected = document.getElementById("add-rejected");
  rejected.replaceChildren();
  const invalid = result.invalid || [];
  document.getElementById("add-status").textContent =
    `${plural(result.added, "number", "numbers")} added${invalid.length ? `; ${plural(invalid.length, "entry", "entries")} ${DNC_LEFT_OUT}:` : "."}`;
  for (const bad of invalid) {
    rejected.append(h("li", { class: "error" }, `Line ${bad.line ?? bad.row ?? "?"}: ${bad.message ?? bad.error ?? "not a phone number"}`));
  }
  load(false);
  loadAudit();
}

document.getElementById("dnc-add").addEventListener("submit", async (event) => {
  event.preventDefault();
  const phones = document.getElementById("dnc-phones").value.split(/\n/).map((p) => p.trim()).filter(Boolean);
  if (!phones.length) return;
  try {
    report(await api("POST", "/api/dnc", { phones }));
    document.getElementById("dnc-phones").value = "";
  } catch (err) {
    const rejected = (err.details || []).map((d) => d.path);
    document.getElementById("add-status").textContent = `${err.message} ${rejected.join(", ")}`;
  }
});

document.getElementById("dnc-upload").addEventListener("submit", async (event) => {
  event.preventDefault();
  const file = document.getElementById("dnc-file").files[0];
  if (!file) return;
  try {
    report(await api("POST", "/api/dnc", file, { contentType: "text/csv" }));
  } catch (err) {
    document.getElementById("add-status").textContent = err.message;
  }
});

load(false);
loadAudit();
