"""What a script's templates see of a contact: the named CSV columns (state and zip too) and extra ones."""

from __future__ import annotations

from dialer.contacts import Contact
from dialer.queue.lease import BatchContact, _card
from dialer.scripts import engine, load_script

SCRIPT = """id: mail
title: Mail
start: ask
steps:
  ask:
    text: >-
      {{ contact.first_name }}, we'll mail the form to {{ contact.zip }}
      ({{ contact.state }}), {{ contact.ward }}.
    result: contacted
"""


def test_state_zip_and_extra_columns_reach_the_script() -> None:
    import json

    imported = Contact(
        phone="+12025550142",
        timezone="America/New_York",
        first_name="Cleo",
        state="DC",
        zip="20003",
        fields={"ward": "Ward 6"},
    )
    card = {"id": "7", "attempts": 0, **json.loads(_card(imported))}
    contact = BatchContact.from_card(card).to_json()
    assert contact["state"] == "DC" and contact["zip"] == "20003"
    script = load_script(SCRIPT, "application/yaml").script
    step = engine.step_payload(script, engine.start(script), contact)
    assert step["text"] == "Cleo, we'll mail the form to 20003 (DC), Ward 6."
