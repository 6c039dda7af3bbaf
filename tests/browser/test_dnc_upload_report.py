"""A VAN-style do-not-call file, uploaded from the campaign's settings and from the Do-not-call page: the
upload counts numbers and reports each cell it could not read, so the page must not call a row with a bad
cell phone "not added" when its home phone went on the list."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.harness import Running
from tests.browser.test_import_report import SIZES, column, settings_page

pytestmark = pytest.mark.browser

VAN_DNC = (
    "VanID,LastName,FirstName,Cell Phone,Home Phone,Work Phone\n"  # 1
    "501,Doe,Ann,n/a,(212) 555-0150,\n"  # 2: the cell is junk, the home phone is listed
    "502,Roe,Bob,(212) 555-0151,(212) 555-0152,(212) 555-0153\n"  # 3: three numbers listed
    "503,Poe,Cy,,,\n"  # 4: no number at all
)


@pytest.mark.parametrize("size", SIZES)
def test_a_do_not_call_upload_says_which_cells_were_not_added(
    browser: Browser, server: Running, tmp_path: Path, size: str
) -> None:
    page = settings_page(browser, server, size)
    upload = tmp_path / "dnc.csv"
    upload.write_text(VAN_DNC)
    page.locator("#dnc-file").set_input_files(upload)
    page.get_by_role("button", name="Upload do-not-call list").click()
    report = page.locator("#dnc-report")
    expect(report.locator("p").first).to_have_text("4 numbers added to the do-not-call list.", timeout=15_000)
    said = report.inner_text()
    assert "rows not added" not in said, said  # row 2 was added: its home phone
    expect(report).to_contain_text("2 entries not added")
    assert column(report.locator("table"), 1) == ["2", "4"]
    assert column(report.locator("table"), 2) == [
        "invalid phone number 'n/a' in Cell Phone",
        "missing phone number",
    ]

    # The same kind of file on the Do-not-call page: its status line and the changes list.
    page.goto("/dnc")
    expect(page.locator("#dnc-count")).to_have_text("5")  # with the one settings_page listed
    upload.write_text("Cell Phone,Home Phone\nnone,(212) 555-0154\n")
    page.locator("#dnc-file").set_input_files(upload)
    page.locator("#dnc-upload button[type=submit]").click()
    status = page.locator("#add-status")
    expect(status).to_have_text("1 number added; 1 entry not added (the row's other numbers are):")
    expect(page.locator("#add-rejected li")).to_have_text(
        ["Line 2: invalid phone number 'none' in Cell Phone"]
    )
    expect(page.locator("#dnc-audit tbody tr").first).to_contain_text("uploaded 1 number (1 entry not added)")
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], widths
    page.context.close()
