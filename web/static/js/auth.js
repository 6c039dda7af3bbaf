// Sign-in and sign-up: the form posts JSON to the API, which sets the session cookie; then we go on.
import { api } from "./api.js";

const form = document.getElementById("auth-form");
const errorBox = document.getElementById("form-error");

function fail(message) {
  errorBox.textContent = message;
  errorBox.hidden = false;
}

// The server only renders a local path (pages.safe_next); checked again as the browser parses it.
function sameOrigin(target) {
  if (!target) return null;
  try {
    return new URL(target, location.origin).origin === location.origin ? target : null;
  } catch {
    return null;
  }
}

// The submit button starts disabled so that nothing is sent before this handler exists.
form.querySelector("button[type=submit]").disabled = false;

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  errorBox.hidden = true;
  const body = {};
  for (const [key, value] of new FormData(form)) body[key] = String(value).trim() === "" ? "" : String(value);
  if (body.email) body.email = body.email.trim();
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    await api("POST", form.dataset.action, body);
    location.assign(sameOrigin(form.dataset.next) || "/campaigns");
  } catch (err) {
    const details = (err.details || []).map((d) => `${d.path}: ${d.message}`).join("; ");
    fail(details ? `${err.message} ${details}` : err.message);
    const had = document.activeElement === document.body; // the disabled button dropped it
    button.disabled = false;
    if (had) button.focus(); // the keyboard stays on the form (pressed with Enter in a field: still there)
  }
});
