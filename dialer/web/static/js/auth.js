// Sign-in and sign-up: the form posts JSON to the API, which sets the session cookie; then we go on.
import { api } from "./api.js";

const form = document.getElementById("auth-form");
const errorBox = document.getElementById("form-error");

function fail(message) {
  errorBox.textContent = message;
  errorBox.hidden = false;
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
    location.assign(form.dataset.next || "/campaigns");
  } catch (err) {
    const details = (err.details || []).map((d) => `${d.path}: ${d.message}`).join("; ");
    fail(details ? `${err.message} ${details}` : err.message);
    button.disabled = false;
  }
});
