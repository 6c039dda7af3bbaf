// The organizers switched the campaign between preview and power or predictive while this page was open.
// The page is drawn for one way of calling (a list and a Call button, or "Start taking calls"), so it loads
// again as the other: at once between calls, or as soon as the call in progress is saved. The page that
// comes up says why, from a note kept in sessionStorage over the reload.

const dialingMode = (mode) => mode !== "preview";

export class ModeSwitch {
  constructor(campaignId, pageMode) {
    this.key = `dialer.mode-switched.${campaignId}`;
    this.pageMode = pageMode;
    this.waiting = null; // the new mode, followed once this call is saved
  }

  // The reloaded page's line about the switch (once), or "".
  takeNote() {
    const mode = sessionStorage.getItem(this.key);
    sessionStorage.removeItem(this.key);
    if (!mode) return "";
    const next = dialingMode(mode) ? "press “Start taking calls” when you are ready." : "call the voters on your list.";
    return `The organizers switched this campaign to ${mode} dialing: ${next}`;
  }

  // The campaign's mode as the server has it. Returns "reload" (the page changes over now), "later" (after
  // the call in progress: `busy`), "same-page" (power and predictive look alike: only the mode's name changes),
  // or "" (nothing changed).
  heard(mode, busy) {
    if (!mode || mode === this.pageMode) return "";
    if (dialingMode(mode) === dialingMode(this.pageMode)) {
      this.pageMode = mode;
      return "same-page";
    }
    this.waiting = mode;
    return busy ? "later" : "reload";
  }

  // While a call goes on: what the volunteer is told.
  laterText() {
    return `The organizers switched this campaign to ${this.waiting} dialing. Finish this call: `
      + "the page changes over when you save it.";
  }

  // Loads the page again for the new mode (a call just saved, or none under way).
  changeOver() {
    if (!this.waiting) return false;
    sessionStorage.setItem(this.key, this.waiting);
    window.location.reload();
    return true;
  }
}
