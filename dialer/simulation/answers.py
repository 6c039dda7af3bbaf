"""What a simulated volunteer answers at a script step (dialer/volunteer_sim.py): pure, under a seeded rng."""

from __future__ import annotations

import random
from typing import Any

FIRST_CHOICE_SHARE = 0.7
TEXT_ANSWERS = ("in the morning", "after work", "by mail", "not sure yet")


def answer_for(step: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """The call socket's `answer` message for `step`, chosen as a person would."""
    answer: dict[str, Any] = {"type": "answer", "step": step["id"]}
    if step["choices"]:
        # Scripts list the likely answer first ("Speaking", "Yes"): people mostly give it.
        first = rng.random() < FIRST_CHOICE_SHARE
        answer["choice"] = step["choices"][0 if first else rng.randrange(len(step["choices"]))]["index"]
    elif step["input"] == "number":
        low = int(step.get("min", 0))
        answer["value"] = rng.randint(low, int(step.get("max", low + 5)))
    elif step["input"] == "text":
        answer["value"] = rng.choice(TEXT_ANSWERS)
    return answer
