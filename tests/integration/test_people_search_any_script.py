"""Finding (probe): the People search found a name by part of a word only when the next letter was Latin-1.

The search walks a sorted index of words up to `<typed>\\xff`; the index is UTF-8 bytes, and U+00FF is
c3 bf, below every letter of Cyrillic, Greek, Vietnamese, Chinese and most other scripts. So "Ив" did not
find Иван Петров (only the whole word did), while "Iv" found Ivan. The upper end is now the last code
point."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.integration.organizer_support import account, fixed_api

__all__ = ["fixed_api"]


@pytest.mark.parametrize(
    ("name", "typed"),
    [("Иван Петров", "Ив"), ("Иван Петров", "пет"), ("Γιώργος Παπαδόπουλος", "Γι"), ("王小明 Wang", "王小"),
     ("Ivan Petrov", "iv")],
)  # fmt: skip
def test_part_of_a_word_finds_the_person_in_any_script(
    fixed_api: TestClient, clean_redis: str, name: str, typed: str
) -> None:
    _, org = account(fixed_api, "olga@example.org", "Olga Organizer", "organizer")
    uid, _ = account(fixed_api, "person@example.org", name)
    found = fixed_api.get("/api/users", params={"q": typed}, headers=org)
    assert found.status_code == 200, found.text
    assert [u["id"] for u in found.json()["users"]] == [uid]
