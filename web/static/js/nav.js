import { api } from "./api.js";

const signout = document.getElementById("signout");
if (signout) {
  signout.addEventListener("click", async () => {
    // This tab's memory of the account's calls goes with it: "taking calls" (else the next sign-in here is
    // told the page reloaded), and the notes and typed answers kept for a reload (the next account signed
    // in on a shared computer is somebody else). A result still waiting to be delivered stays.
    for (const key of Object.keys(sessionStorage)) {
      if (/^dialer\.(taking|notes|typed)\./.test(key)) sessionStorage.removeItem(key);
    }
    try {
      await api("POST", "/api/auth/logout");
    } finally {
      location.assign("/signin");
    }
  });
}
for (const input of document.querySelectorAll("input.copy")) {
  input.addEventListener("focus", () => input.select());
}
// "Copy link" buttons: copy the input they name (data-copy), and say so.
for (const button of document.querySelectorAll("button[data-copy]")) {
  button.addEventListener("click", async () => {
    const input = document.getElementById(button.dataset.copy);
    try {
      await navigator.clipboard.writeText(input.value);
    } catch {
      input.select();
      document.execCommand("copy");
    }
    button.textContent = "Copied";
    button.setAttribute("aria-live", "polite");
  });
}
