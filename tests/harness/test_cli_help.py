"""Every option and argument of ``aclbench`` says what it is for; ``--version`` names the
installed version."""

import argparse
from importlib.metadata import version

import pytest

from aclbench.harness.cli import _parser, main


def actions(parser: argparse.ArgumentParser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from ((f"{name} {a.dest}", a) for a in sub._actions)
        else:
            yield action.dest, action


def test_every_option_and_argument_has_help():
    undocumented = [name for name, action in actions(_parser()) if not action.help]
    assert undocumented == []


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"aclbench {version('aclbench')}"
