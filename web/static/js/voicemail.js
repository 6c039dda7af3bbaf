// Preview mode's "Leave voicemail": after the beep the volunteer presses it; the server has the carrier read
// the campaign's voicemail message on the voter's leg (and hang up after it) and the volunteer moves on at
// once, with the result `voicemail`.
import { api, pageData, show } from "./api.js";

// A recording counts as a message to leave as much as the text does (the page says whether there is one).
const recorded = Boolean(pageData().voicemail);

// Offered on a browser call with the voter's line up (not after it went down: `lineDown`), when the campaign
// has a message to leave.
export function drawVoicemail(ui, { phase, method, campaign, dialing, lineDown }) {
  const offered = !dialing && method !== "own_phone" && (Boolean(campaign.voicemail_message) || recorded);
  show(ui.voicemail, offered && phase === "connected" && !lineDown);
  ui.voicemail.disabled = false;
}

// Asks the server to leave the message on the call `callSid`; throws the API's error when it cannot.
export async function leaveVoicemail(campaignId, callSid) {
  const path = `/api/campaigns/${encodeURIComponent(campaignId)}/calls/${encodeURIComponent(callSid)}/voicemail`;
  return api("POST", path);
}
