"""The report of benchmark results: ``aclbench report DIR [DIR ...] [--out DIR]``.

:func:`build_report` writes ``report.html`` (self-contained), ``report.md`` and every figure as PNG
and PDF under ``figures/``; :func:`print_summary` prints a few lines for the terminal.
"""

from aclbench.harness.report.build import DEFAULT_REPS, build_report, print_summary, summary

__all__ = ["DEFAULT_REPS", "build_report", "print_summary", "summary"]
