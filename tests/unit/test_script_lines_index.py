"""Lines for many problems of a long script: each mapping of the YAML tree is looked through once, not once
per problem (a 5,000-step script with 2,500 problems spent seconds finding their lines)."""

from __future__ import annotations

from typing import Any

import yaml

from dialer.web.pages_tools import compose, line_of, lines_of

STEPS = 300
SOURCE = (
    "id: long\ntitle: Long\nstart: s0\nsteps:\n"
    + "".join(f"  s{i}:\n    text: step {i}\n    next: s{i + 1}\n" for i in range(STEPS))
    + f"  s{STEPS}: {{text: end, result: contacted}}\n"
)


class CountingPairs(list[Any]):
    """A mapping node's pairs, counting how often they are walked through."""

    walks = 0

    def __iter__(self) -> Any:
        CountingPairs.walks += 1
        return super().__iter__()

    def __reversed__(self) -> Any:
        CountingPairs.walks += 1
        return super().__reversed__()


def test_the_steps_mapping_is_walked_once_for_all_the_paths() -> None:
    root = compose(SOURCE)
    assert isinstance(root, yaml.MappingNode)
    steps = next(v for k, v in root.value if k.value == "steps")
    steps.value = CountingPairs(steps.value)
    CountingPairs.walks = 0
    keys: dict[int, Any] = {}
    lines = [line_of(root, f"steps.s{i}.next", "", keys) for i in range(STEPS)]
    assert lines == [5 + 3 * i + 2 for i in range(STEPS)]  # each step's `next` line, as before
    assert CountingPairs.walks <= 2


def test_lines_of_gives_each_path_its_line() -> None:
    found = lines_of(SOURCE, [(f"steps.s{i}", "") for i in (0, 150, STEPS)] + [("steps.nope.text", "")])
    assert found == {
        "steps.s0": 5,
        "steps.s150": 5 + 3 * 150,
        f"steps.s{STEPS}": 5 + 3 * STEPS,
        "steps.nope.text": 4,
    }
