// The profile: join a team with its code, or leave it (the page reloads to show the result); change the password.
import { api } from "./api.js";
import { passwordForm } from "./password_form.js";

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

// Change my password: other sessions end, this one stays.
const passwordStatus = document.getElementById("password-status");
passwordForm(document.getElementById("password-form"), {
  url: "/api/auth/password",
  done(answer) {
    const others = answer.sessions_ended;
    passwordStatus.textContent = `Your password is changed.${others ? ` ${others === 1 ? "One other session was" : `${others} other sessions were`} signed out.` : ""}`;
  },
});
