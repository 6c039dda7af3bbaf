"""The call-list and do-not-call upload reports read right next to the spreadsheet: row numbers as the
spreadsheet shows them (the header is row 1), duplicates and do-not-call rows listed, warnings saying what
was imported and what was skipped, and never a "null"."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, Route, expect

from tests.browser.conftest import make_user
from tests.browser.harness import Running
from tests.browser.scenario import SCRIPT, sign_in

pytestmark = pytest.mark.browser

SIZES: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
# The spreadsheet's own row numbers, as a person sees them, are on the right.
CALL_LIST = (
    "phone,first_name,last_name,state,timezone\n"  # 1
    "(202) 555-0142,Ada,Lovelace,DC,\n"  # 2
    "not a phone,Bad,Row,DC,\n"  # 3: not imported
    "202-555-0142,Ada,Again,DC,\n"  # 4: repeats row 2
    "(202) 555-0199,Dee,Listed,DC,\n"  # 5: on the do-not-call list
    "(800) 555-0100,Toll,Free,,\n"  # 6: toll-free, skipped
    "+44 20 7946 0958,Abroad,Person,,\n"  # 7: abroad, imported
    "312-555-0101 ext. 12,Ext,Person,IL,\n"  # 8: extension, imported
    "415-555-0102,Zone,Person,CA,Pacific Time\n"  # 9: unknown time zone, imported
    "\n"  # 10: blank
    ",Missing,Phone,DC,\n"  # 11: not imported
    "312-555-0103,José,Núñez,IL,\n"  # 12
)
NEVER = re.compile(r"\b(null|undefined|NaN)\b")


def column(table: Locator, index: int) -> list[str]:
    return table.locator(f"tbody tr td:nth-child({index})").all_inner_texts()


def settings_page(browser: Browser, server: Running, size: str) -> Page:
    with server.client() as admin:
        r = admin.post("/api/scripts", content=SCRIPT, headers={"Content-Type": "application/yaml"})
        assert r.status_code == 201, r.text
        campaign = {"id": "levy", "name": "Library levy", "script_id": "doors", "caller_id": "+12025550100"}
        assert admin.post("/api/campaigns", json=campaign).status_code == 201
        assert admin.post("/api/dnc", json={"phones": ["(202) 555-0199"]}).status_code == 200
    make_user(server, "olga@example.org", "Olga Organizer", role="organizer")
    context = browser.new_context(base_url=server.base_url, **SIZES[size])
    sign_in(context, server, "olga@example.org")
    page = context.new_page()
    page.goto("/campaigns/levy/settings")
    return page


@pytest.mark.parametrize("size", SIZES)
def test_import_report_reads_like_the_spreadsheet(
    browser: Browser, server: Running, shots: Path, tmp_path: Path, size: str
) -> None:
    page = settings_page(browser, server, size)
    calls = tmp_path / "list.csv"
    calls.write_text(CALL_LIST, encoding="utf-8")
    page.locator("#contacts-file").set_input_files(calls)
    page.get_by_role("button", name="Upload call list").click()

    report = page.locator("#import-report")
    expect(report.locator("ul.report li")).to_have_text(
        [
            "5 contacts imported",
            "1 duplicate skipped",
            "1 number on the do-not-call list, skipped",
            "1 toll-free number not imported (a business, not a voter)",
            "2 rows with problems, not imported",
            "3 imported rows to check",
        ],
        timeout=15_000,
    )
    expect(report).to_contain_text("Row numbers are those of your spreadsheet, where the header is row 1.")
    tables = report.locator("table")
    expect(tables.locator("caption")).to_have_text(
        [
            "Not imported: no usable phone number",
            "Duplicates, skipped",
            "On the do-not-call list, skipped",
            "Not imported: not a voter's own number",
            "Imported: check these rows",
        ]
    )
    invalid, duplicates, dnc, left_out, warnings = (tables.nth(i) for i in range(5))
    assert column(invalid, 1) == ["3", "11"]
    assert column(invalid, 2) == ["invalid phone number 'not a phone'", "missing phone number"]
    assert column(duplicates, 1) == ["4"]
    assert column(duplicates, 2) == ["(202) 555-0142 is the same number as row 2: skipped"]
    assert column(dnc, 1) == ["5"]
    assert column(dnc, 2) == ["(202) 555-0199 is on the do-not-call list: skipped"]
    assert column(left_out, 1) == ["6"]
    [toll_free] = column(left_out, 2)
    assert toll_free.startswith("(800) 555-0100 is a toll-free number") and toll_free.endswith(": skipped")
    assert column(warnings, 1) == ["7", "8", "9"]
    said = column(warnings, 2)
    assert said[0].startswith("+442079460958 is outside the US and Canada (United Kingdom): imported")
    assert said[1].startswith("extension 12 cannot be dialed: imported as (312) 555-0101")
    assert "unknown time zone 'Pacific Time'" in said[2] and "imported with America/Los_Angeles" in said[2]
    assert not NEVER.search(report.inner_text()), report.inner_text()
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], widths
    report.scroll_into_view_if_needed()
    page.screenshot(path=shots / f"import-report-{size}.png", full_page=True)
    report.screenshot(path=shots / f"import-report-{size}-close-up.png")

    # The do-not-call upload reports the rows it could not take, by the same row numbers.
    dnc_file = tmp_path / "dnc.csv"
    dnc_file.write_text("phone\n(202) 555-0177\nnope\n(800) 555-0111\n")
    page.locator("#dnc-file").set_input_files(dnc_file)
    page.get_by_role("button", name="Upload do-not-call list").click()
    dnc_report = page.locator("#dnc-report")
    expect(dnc_report.locator("p").first).to_have_text(
        "2 numbers added to the do-not-call list.", timeout=15_000
    )
    expect(dnc_report).to_contain_text("1 entry not added")
    assert column(dnc_report.locator("table"), 1) == ["3"]
    assert column(dnc_report.locator("table"), 2) == ["invalid phone number 'nope'"]
    assert not NEVER.search(dnc_report.inner_text())
    page.screenshot(path=shots / f"dnc-report-{size}.png", full_page=True)
    page.context.close()


def test_a_report_with_only_api_md_fields_reads_right_too(browser: Browser, server: Running) -> None:
    """An answer with API.md's fields only (an older server, a background import's stored report) and
    holes in it: row numbers come from `row`, and nothing missing prints as "null"."""
    page = settings_page(browser, server, "desktop")
    minimal = {"imported": 1, "duplicates": 2, "skipped_dnc": None, "invalid": [{"row": 4, "message": None}]}

    def answer(route: Route) -> None:
        route.fulfill(status=200, content_type="application/json", body=json.dumps(minimal))

    page.route("**/api/campaigns/levy/contacts", answer)
    page.locator("#contacts-file").set_input_files(
        {"name": "list.csv", "mimeType": "text/csv", "buffer": b"phone\n2025550142\n"}
    )
    page.get_by_role("button", name="Upload call list").click()
    report = page.locator("#import-report")
    expect(report.locator("ul.report li")).to_have_text(
        [
            "1 contact imported",
            "2 duplicates skipped",
            "0 numbers on the do-not-call list, skipped",
            "1 row with problems, not imported",
        ]
    )
    assert column(report.locator("table"), 1) == ["5"]  # data row 4 is the spreadsheet's row 5
    assert not NEVER.search(report.inner_text()), report.inner_text()
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_a_script_field_no_list_has_is_named_with_the_column_meant(
    browser: Browser, server: Running, size: str
) -> None:
    """The campaign's script reads contact.wrad; the list's column is Ward: the report says so, at once."""
    page = settings_page(browser, server, size)
    typo = SCRIPT.replace(
        "{{ contact.first_name }}?", "{{ contact.first_name }} of ward {{ contact.wrad }}?", 1
    )
    assert typo != SCRIPT
    with server.client() as admin:
        r = admin.post("/api/scripts", content=typo, headers={"Content-Type": "application/yaml"})
        assert r.status_code == 201, r.text
    page.locator("#contacts-file").set_input_files(
        {
            "name": "list.csv",
            "mimeType": "text/csv",
            "buffer": b"phone,first_name,Ward\n(202) 555-0142,Ada,4\n",
        }
    )
    page.get_by_role("button", name="Upload call list").click()
    notice = page.locator("#import-report .script-fields")
    expect(notice).to_contain_text(
        "it reads contact fields this campaign's call lists do not have", timeout=15_000
    )
    expect(notice.locator("li")).to_have_count(1)
    expect(notice.locator("li")).to_contain_text("contact.wrad (step ")
    expect(notice.locator("li")).to_contain_text("did you mean contact.Ward?")
    expect(page.locator("#import-report ul.report li").first).to_have_text("1 contact imported")
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], widths
    page.context.close()


VAN_EXPORT = (  # VAN/EveryAction's export: a tab-delimited .txt, its phone columns named its way
    "Voter File VANID\tLastName\tFirstName\tState\tPreferred Phone\tPreferredPhoneType\n"
    "100001\tMuñoz\tJosé\tIL\t217-555-0133\tC\n"
    "100002\tLévesque\tRenée\tIL\t217-555-0134\tH\n"
)
TEXT_FILES = {".txt", ".tsv"}


def test_a_van_export_txt_can_be_picked_and_uploaded(
    browser: Browser, server: Running, tmp_path: Path
) -> None:
    """VAN exports come as tab-delimited .txt files, which the importers read; the file pickers offered only
    .csv, so on a Mac (where Chromium greys out what `accept` leaves out) or a phone the organizer could not
    pick the export without renaming it first."""
    page = settings_page(browser, server, "desktop")
    for picker in ("#contacts-file", "#dnc-file"):
        accepted = set((page.locator(picker).get_attribute("accept") or "").split(","))
        assert TEXT_FILES <= accepted, (picker, accepted)
    export = tmp_path / "VAN export.txt"
    export.write_text(VAN_EXPORT, encoding="utf-8")
    page.locator("#contacts-file").set_input_files(export)
    page.get_by_role("button", name="Upload call list").click()
    expect(page.locator("#import-report ul.report li").first).to_have_text("2 contacts imported")
    page.goto("/dnc")
    accepted = set((page.locator("#dnc-file").get_attribute("accept") or "").split(","))
    assert TEXT_FILES <= accepted, accepted


def test_a_repeated_header_is_told_on_both_uploads(browser: Browser, server: Running) -> None:
    """An organizer uploads a call list with `note` twice, then a do-not-call list with `Cell Phone`
    twice: each report says which header repeats and what was kept, above the totals (the later note
    column was dropped with no word, and the do-not-call list took only the first column's numbers)."""
    page = settings_page(browser, server, "desktop")
    page.locator("#contacts-file").set_input_files(
        {"name": "list.csv", "mimeType": "text/csv", "buffer": b"phone,note,note\n+12125550140,one,two\n"}
    )
    page.get_by_role("button", name="Upload call list").click()
    notice = page.locator("#import-report .file-warnings")
    expect(notice.locator("li")).to_have_text(
        ["the header 'note' repeats (columns 2 and 3): column 2's cells were imported, column 3's were not"],
        timeout=15_000,
    )
    expect(page.locator("#import-report ul.report li").first).to_have_text("1 contact imported")
    page.locator("#dnc-file").set_input_files(
        {
            "name": "dnc.csv",
            "mimeType": "text/csv",
            "buffer": b"Cell Phone,Cell Phone\n(212) 555-0160,(212) 555-0161\n",
        }
    )
    page.get_by_role("button", name="Upload do-not-call list").click()
    dnc_notice = page.locator("#dnc-report .file-warnings")
    expect(dnc_notice.locator("li")).to_have_text(
        ["the header 'Cell Phone' repeats (columns 1 and 2): the numbers of both columns were added"],
        timeout=15_000,
    )
    expect(page.locator("#dnc-report p").nth(1)).to_have_text("2 numbers added to the do-not-call list.")
    assert not NEVER.search(page.locator("#dnc-report").inner_text())
    page.context.close()
