// "Nobody to call right now": what the 409 no_contacts says, in words a volunteer reads, and when to look
// again. The page then waits for the campaign's news on the call socket or for that moment: it never polls.
import { plural } from "./api.js";
import { atWhen } from "./call_time.js";

export function nobodyToCall(err) {
  const detail = (err.details || [])[0] || {};
  const next = detail.next_due_at ? new Date(detail.next_due_at) : null;
  const waiting = detail.waiting_retry || 0;
  const outside = detail.outside_hours || 0;
  if (err.code !== "no_contacts") return { title: "Could not get your list", text: err.message, wakeAt: null };
  if (detail.reason === "campaign_paused") {
    return {
      title: "The campaign is paused",
      text: "The organizers paused calling. This page picks up again by itself when they resume.",
      wakeAt: null,
    };
  }
  if (detail.reason === "outside_calling_hours") {
    const when = next ? ` Calling opens again ${atWhen(next)}.` : "";
    return {
      title: "Outside calling hours",
      text: `It is outside calling hours for everyone left on the list (${plural(outside, "voter", "voters")}).${when}`,
      wakeAt: next,
    };
  }
  if (waiting && next) {
    return {
      title: "Everyone available has been called",
      text: `${plural(waiting, "voter comes", "voters come")} back for another try ${atWhen(next)}. ` +
        "This page picks up again by itself then.",
      wakeAt: next,
    };
  }
  const held = detail.held || 0;
  const heldUntil = detail.held_until ? new Date(detail.held_until) : null;
  if (detail.reason === "exhausted" && held && heldUntil) {
    // Not finished: the names left are out with other callers, and come back if they are not called.
    const minutes = Math.max(1, Math.ceil((heldUntil.getTime() - Date.now()) / 60000));
    return {
      title: "The names left are with other callers",
      text: `${plural(held, "voter", "voters")} left to call ${held === 1 ? "is" : "are"} on other volunteers' lists right now. ` +
        `Any not called within ${plural(minutes, "minute", "minutes")} come back here, and this page picks up again by itself then.`,
      wakeAt: next && next < heldUntil ? next : heldUntil,
    };
  }
  return { title: "Everyone on the list has been called", text: "Thank you!", wakeAt: next };
}

// Power and predictive: why the dialer calls nobody now (the call socket's `dialer` news, dialing/take.py),
// in words a volunteer reads, with when calling can resume. "" when it is calling (or has not said).
export function dialerIdle(m) {
  const at = m?.resume_at ? atWhen(new Date(m.resume_at)) : "";
  switch (m?.reason) {
    case "cells_without_consent":
      return `Nobody to dial right now: the ${plural(m.cells || 0, "voter", "voters")} left to call now ` +
        `${m.cells === 1 ? "has" : "have"} a cell phone, which the dialer may not call without consent ` +
        "(volunteers can call them if an organizer switches the campaign to preview)." +
        `${at ? ` More voters can be dialed ${at}.` : ""}`;
    case "outside_hours":
      return `Nobody to dial right now: it is outside calling hours for everyone left on the list.${at ? ` Calling resumes ${at}.` : ""}`;
    case "waiting_retry":
      return `Nobody to dial right now: everyone available has been called.${at ? ` Voters come back for another try ${at}.` : ""}`;
    case "list_used_up":
      return "Nobody to dial: everyone on the list has been called. Thank you! Calling picks up by itself if voters are added.";
    default:
      return "";
  }
}
