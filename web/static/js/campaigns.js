// The campaign list's organizer actions: duplicate (settings and script, no contacts), archive, restore.
import { api } from "./api.js";

const errorBox = document.getElementById("campaigns-error");

function fail(err) {
  errorBox.textContent = err.message || "That did not work; try again.";
  errorBox.hidden = false;
}

for (const button of document.querySelectorAll("[data-duplicate]")) {
  button.addEventListener("click", async () => {
    try {
      const copy = await api("POST", `/api/campaigns/${button.dataset.duplicate}/duplicate`, {});
      location.assign(`/campaigns/${copy.id}/settings`);
    } catch (err) {
      fail(err);
    }
  });
}

for (const button of document.querySelectorAll("[data-archive]")) {
  button.addEventListener("click", async () => {
    try {
      const archived = button.dataset.archived !== "true";
      await api("PATCH", `/api/campaigns/${button.dataset.archive}`, { archived });
      location.reload();
    } catch (err) {
      fail(err);
    }
  });
}
