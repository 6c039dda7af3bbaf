import { api } from "./api.js";

const signout = document.getElementById("signout");
if (signout) {
  signout.addEventListener("click", async () => {
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
