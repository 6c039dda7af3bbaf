// The profile's team box: join a team with its code, or leave it. The page reloads to show the result.
import { api } from "./api.js";

const errorBox = document.getElementById("team-error");

function fail(err) {
  errorBox.textContent = err.message || "That did not work; try again.";
  errorBox.hidden = false;
}

document.getElementById("team-form")?.addEventListener("submit", async (event) => {
  event.preventDefault();
  errorBox.hidden = true;
  const code = new FormData(event.target).get("join_code");
  try {
    await api("POST", "/api/teams/join", { join_code: String(code).trim() });
    location.reload();
  } catch (err) {
    fail(err);
  }
});

document.getElementById("leave-team")?.addEventListener("click", async () => {
  try {
    await api("DELETE", "/api/teams/membership");
    location.reload();
  } catch (err) {
    fail(err);
  }
});
