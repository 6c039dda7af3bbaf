// What earlier callers heard from this voter (time, result, notes, caller's first name), newest first.
import { api, h, humanize } from "./api.js";
import { whenToSay } from "./call_time.js";

export async function loadHistory(campaignId, contact) {
  if (!contact || !contact.attempts) return [];
  try {
    const path = `/api/campaigns/${encodeURIComponent(campaignId)}/contacts/${encodeURIComponent(contact.id)}/history`;
    return await api("GET", path);
  } catch {
    return []; // history helps; a call goes on without it
  }
}

// Times are the volunteer's own (the browser's clock and zone), and name the zone: the voter may live
// elsewhere, and the caller who wrote the note may have too.
export function historyItems(entries) {
  return entries.map((e) => h("li", {},
    h("span", { class: "when", text: whenToSay(new Date(e.at), new Date(), { zone: true }) }), " · ",
    h("strong", { text: humanize(e.result) }),
    e.volunteer ? ` · ${e.volunteer}` : "",
    e.notes ? h("q", { text: e.notes }) : null));
}
