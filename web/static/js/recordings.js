// A campaign's recorded calls (pages_activity.py hands them over): who, when, how long, a player that fetches
// the audio (GET /api/campaigns/{id}/recordings/{sid}/audio) only when asked, and Delete (here and at the
// carrier).
import { api, h, pageData, plural } from "./api.js";

const { campaign, recordings } = pageData();
const body = document.querySelector("#recordings tbody");
const status = document.getElementById("recordings-status");
const errorBox = document.getElementById("recordings-error");
const base = `/api/campaigns/${encodeURIComponent(campaign.id)}/recordings`;
const when = (seconds) => new Date(seconds * 1000).toLocaleString();
const day = (seconds) => new Date(seconds * 1000).toLocaleDateString();
const length = (s) => (s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`);

function say() {
  const n = body.children.length;
  status.textContent = n ? `${plural(n, "recording", "recordings")}.` : "No recordings yet.";
}

// Delete asks first, in the page's own dialog (as the campaigns list's Archive does), not the browser's
// confirm(): a browser told to stop this site's dialogs answers confirm() "no" unseen, and Delete did
// nothing. "Keep it" has the focus (Enter on a slip keeps it), Escape closes it unanswered, and the
// keyboard goes back to the Delete button.
function askToDelete(button, voter) {
  const dialog = document.getElementById("delete-dialog");
  document.getElementById("delete-title").textContent = `Delete the recording of the call with ${voter}?`;
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => { button.focus(); resolve(dialog.returnValue === "delete"); }, { once: true });
  });
}

function row(rec) {
  const who = rec.phone ? `${rec.voter}, ${rec.phone}` : rec.voter;
  const audio = h("audio", { controls: "", preload: "none", src: `${base}/${encodeURIComponent(rec.sid)}/audio` });
  audio.setAttribute("aria-label", `Recording of the call with ${rec.voter}`);
  const remove = h("button", { type: "button", class: "danger" }, "Delete");
  remove.setAttribute("aria-label", `Delete the recording of the call with ${rec.voter}`);
  const tr = h("tr", { id: `rec-${rec.sid}` },
    h("td", { "data-label": "Voter" }, who),
    h("td", { "data-label": "Recorded" }, when(rec.created_at)),
    h("td", { class: "num", "data-label": "Length" }, length(rec.duration)),
    h("td", { "data-label": "Deleted on" }, day(rec.expires_at)),
    h("td", { "data-label": "Listen" }, audio),
    h("td", {}, remove));
  remove.addEventListener("click", async () => {
    if (!(await askToDelete(remove, rec.voter))) return;
    errorBox.hidden = true;
    remove.disabled = true;
    try {
      await api("DELETE", `${base}/${encodeURIComponent(rec.sid)}`);
      const next = tr.nextElementSibling || tr.previousElementSibling;
      tr.remove();
      say();
      status.textContent = `Deleted the recording of the call with ${rec.voter}. ${status.textContent}`;
      (next?.querySelector("button") || document.getElementById("recordings-heading")).focus?.();
    } catch (err) {
      remove.disabled = false;
      errorBox.textContent = err.message || "That did not work; try again.";
      errorBox.hidden = false;
    }
  });
  return tr;
}

body.append(...recordings.map(row));
say();
