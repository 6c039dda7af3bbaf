// The campaign list's organizer actions: duplicate (settings and script, no contacts), archive, restore.
import { api, h } from "./api.js";

const errorBox = document.getElementById("campaigns-error");

function fail(err) {
  errorBox.textContent = err.message || "That did not work; try again.";
  errorBox.hidden = false;
}

// A double click made two copies: one request a button, until its page replaces this one (or it fails).
for (const button of document.querySelectorAll("[data-duplicate]")) {
  button.addEventListener("click", async () => {
    if (button.dataset.busy) return;
    button.dataset.busy = "1";
    try {
      const copy = await api("POST", `/api/campaigns/${button.dataset.duplicate}/duplicate`, {});
      location.assign(`/campaigns/${copy.id}/settings`);
    } catch (err) {
      delete button.dataset.busy;
      fail(err);
    }
  });
}

// Archiving takes a campaign off the default list, so the page, reloaded, says where it went (and a restore
// where it is back), with the way there; the note takes the keyboard, which the reload left at the top.
const DONE = "campaigns-done";

function showDone() {
  let done;
  try {
    done = JSON.parse(sessionStorage.getItem(DONE) || "null");
  } catch {
    done = null;
  }
  sessionStorage.removeItem(DONE);
  if (!done?.name) return;
  const notice = document.getElementById("campaigns-notice");
  const [text, link, href] = done.archived
    ? [`“${done.name}” is archived: it is off this list.`, "Show archived campaigns", "/campaigns?archived=1"]
    : [`“${done.name}” is restored: it is back in the campaigns list.`, "Show the campaigns list", "/campaigns"];
  notice.replaceChildren(`${text} `, h("a", { href, text: link }));
  notice.hidden = false;
  notice.focus();
}

// Archiving a campaign stops whoever calls it at once (their pages say it has ended, the dialer hangs up
// no one but dials no more): an organizer is asked first, in those words. A restore needs no asking.
// The question is the page's own dialog, not the browser's confirm(): a browser told to stop this site's
// dialogs answers confirm() "no" without showing it, and the Archive button silently did nothing.
function askToArchive(button) {
  const dialog = document.getElementById("archive-dialog");
  document.getElementById("archive-title").textContent = `Archive “${button.dataset.name}”?`;
  document.getElementById("archive-question").textContent = archiveQuestion(button);
  dialog.returnValue = "";
  dialog.showModal(); // Escape closes it unanswered: kept
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => { button.focus(); resolve(dialog.returnValue === "archive"); }, { once: true });
  });
}

function archiveQuestion(button) {
  return button.dataset.status === "active"
    ? "Volunteers calling it now are stopped: their pages say the campaign has ended and nobody is called until you restore it."
    : "Volunteers can no longer see it, and nobody is called until you restore it.";
}

for (const button of document.querySelectorAll("[data-archive]")) {
  button.addEventListener("click", async () => {
    try {
      const archived = button.dataset.archived !== "true";
      if (archived && !(await askToArchive(button))) return;
      await api("PATCH", `/api/campaigns/${button.dataset.archive}`, { archived });
      sessionStorage.setItem(DONE, JSON.stringify({ name: button.dataset.name, archived }));
      location.reload();
    } catch (err) {
      fail(err);
    }
  });
}

showDone();
