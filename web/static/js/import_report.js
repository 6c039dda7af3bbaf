// The reports of a call-list upload and a do-not-call upload, as staff read them beside their spreadsheet:
// totals first, then the rows to look at, numbered as the spreadsheet numbers them (the header is row 1).
// Every value is shown through text() or count(), so a field the server left out reads as nothing, never
// as "null" or "undefined".
import { h, noun, plural } from "./api.js";

const SHOWN = 200; // rows per table; the server sends up to 1,000 of each kind and the totals of all

const text = (value) => (value === null || value === undefined ? "" : String(value));
const count = (value) => (Number.isFinite(value) ? value : 0);
// The spreadsheet's row: `line` (header = 1); API.md's `row` counts data rows from 1.
const sheetRow = (entry) => (Number.isFinite(entry?.line) ? entry.line : Number.isFinite(entry?.row) ? entry.row + 1 : "");

function total(n, one, many, rest = "") {
  return h("li", {}, h("strong", { text: String(n) }), ` ${noun(n, one, many)}${rest}`);
}

// Two columns, so the message keeps its width on a phone; each message names the number it is about.
function rowsTable(caption, all, entries) {
  const list = Array.isArray(entries) ? entries : [];
  if (!list.length) return null;
  const shown = list.slice(0, SHOWN);
  const title = shown.length < all ? `${caption} (the first ${shown.length} of ${all})` : caption;
  const th = (label) => h("th", { scope: "col", text: label });
  return h("table", { class: "report-rows" },
    h("caption", { text: title }),
    h("thead", {}, h("tr", {}, th("Row"), th("What happened"))),
    h("tbody", {}, ...shown.map((entry) => h("tr", {},
      h("td", { class: "num", text: text(sheetRow(entry)) }),
      h("td", { text: text(entry?.message) })))));
}

// The file's own warnings (a header that repeats: which, and which column's cells were read).
function fileWarnings(r) {
  const list = (Array.isArray(r?.file_warnings) ? r.file_warnings : []).filter((w) => w && w.message);
  return list.length ? h("div", { class: "notice file-warnings", role: "status" },
    h("p", { text: "Check the file's header row:" }),
    h("ul", {}, ...list.map((w) => h("li", { text: text(w.message) })))) : null;
}

const NOTE = "Row numbers are those of your spreadsheet, where the header is row 1.";

// The answer of POST /api/campaigns/{id}/contacts, as nodes for the report's container.
export function importReport(r) {
  const invalid = Array.isArray(r?.invalid) ? r.invalid : [];
  // Warnings come in two kinds: rows left out (a toll-free number reaches a business, not a voter) and
  // rows imported with something to check (a foreign number, an extension, a guessed time zone).
  const listed = Array.isArray(r?.warnings) ? r.warnings : [];
  const leftOut = listed.filter((w) => w.action === "skipped");
  const kept = listed.filter((w) => w.action !== "skipped");
  const skipped = count(r?.skipped);
  const checks = Math.max(0, (count(r?.warnings_total) || listed.length) - skipped);
  const tables = [
    rowsTable("Not imported: no usable phone number", invalid.length, invalid),
    rowsTable("Duplicates, skipped", count(r?.duplicates), r?.duplicate_rows),
    rowsTable("On the do-not-call list, skipped", count(r?.skipped_dnc), r?.dnc_rows),
    rowsTable("Not imported: not a voter's own number", skipped, leftOut),
    rowsTable("Imported: check these rows", checks, kept),
  ].filter(Boolean);
  // The script's contact fields that no list of the campaign has: a blank in front of a volunteer.
  const gaps = (Array.isArray(r?.script_fields) ? r.script_fields : []).filter((g) => g && g.message);
  return [
    fileWarnings(r),
    gaps.length ? h("div", { class: "notice script-fields", role: "status" },
      h("p", { text: "Check the script: it reads contact fields this campaign's call lists do not have." }),
      h("ul", {}, ...gaps.map((g) => h("li", { text: text(g.message) })))) : null,
    h("ul", { class: "report" },
      total(count(r?.imported), "contact", "contacts", " imported"),
      total(count(r?.duplicates), "duplicate", "duplicates", " skipped"),
      total(count(r?.skipped_dnc), "number", "numbers", " on the do-not-call list, skipped"),
      skipped ? total(skipped, "toll-free number", "toll-free numbers", " not imported (a business, not a voter)") : null,
      total(invalid.length, "row", "rows", " with problems, not imported"),
      checks ? total(checks, "imported row", "imported rows", " to check") : null),
    tables.length ? h("p", { class: "muted small", text: NOTE }) : null,
    ...tables,
  ];
}

// Each of POST /api/dnc's `invalid` entries is a cell that is not a number or a row with none: a row with a
// bad cell phone still lists its home phone, so the report counts entries, not rows.
export const DNC_LEFT_OUT = "not added (the row's other numbers are)";

// The answer of POST /api/dnc with a CSV: numbers added, and the cells or rows that were not.
export function dncReport(r) {
  const invalid = Array.isArray(r?.invalid) ? r.invalid : [];
  const added = count(r?.added);
  const leftOut = `${plural(invalid.length, "entry", "entries")} ${DNC_LEFT_OUT}.`;
  return [
    fileWarnings(r),
    h("p", { text: `${plural(added, "number", "numbers")} added to the do-not-call list.` }),
    invalid.length ? h("p", { class: "muted small", text: `${leftOut} ${NOTE}` }) : null,
    rowsTable("Not added: no usable phone number", invalid.length, invalid),
  ];
}
