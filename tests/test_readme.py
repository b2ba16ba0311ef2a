"""The console example in the README is what the command prints."""

from __future__ import annotations

import re
import shlex

import pytest
from click.testing import CliRunner

from iv3ld.cli import main
from tests.conftest import REPOSITORY


def test_readme_console_example_matches_the_output(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    readme = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```console\n\$ iv3ld (.+?)\n(.*?)```", readme, re.DOTALL)
    assert block is not None
    arguments = shlex.split(block.group(1))
    expected = [line for line in block.group(2).splitlines() if line.strip() != "..."]

    monkeypatch.chdir(REPOSITORY)
    result = CliRunner().invoke(main, arguments)

    output = result.output.splitlines()
    assert expected == [line for line in output if line in expected]
    assert output[: len(expected[:2])] == expected[:2]
