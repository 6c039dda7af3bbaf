// The call page's line about the campaign's goal and the volunteer's own calls.
import { api, plural } from "./api.js";

export function progressText(p) {
  const mine = `you: ${plural(p.my_calls, "call", "calls")}`;
  if (!p.goal) return { pct: 0, text: `${plural(p.contacts_reached, "voter", "voters")} reached so far · ${mine}` };
  const pct = Math.min(100, Math.round((100 * p.contacts_reached) / p.goal));
  return { pct, text: `${p.contacts_reached} of ${p.goal} voters reached (${pct}%) · ${mine}` };
}

export async function refreshProgress(campaignId, fill, label) {
  try {
    const { pct, text } = progressText(await api("GET", `/call/${encodeURIComponent(campaignId)}/progress`));
    fill.style.width = `${pct}%`;
    label.textContent = text;
  } catch {
    /* progress is a nicety; the calls go on */
  }
}
