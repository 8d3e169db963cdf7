"""Writing the report: one self-contained HTML page and a Markdown file with the same tables.

The HTML page embeds its figures as base64 PNG and its style inline, and loads nothing (no
script, font or icon from anywhere), so it opens offline and can be mailed as one file; its
width suits a laptop screen and wide tables scroll sideways. The Markdown file links the PNGs
under ``figures/``. Clips of the students (``--videos``) are linked from both, relative to the
report folder, not embedded: a page with them needs its ``videos/`` folder beside it.
"""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from aclbench.harness.report.tables import Table


@dataclass(frozen=True)
class FigureRef:
    """A saved figure (``png``; a PDF lies beside it) and its caption."""

    png: Path
    caption: str


@dataclass(frozen=True)
class ClipGrid:
    """Clips under ``headers``: per row a label, then one cell per column, the path of a clip
    relative to the report folder or a text saying why there is none."""

    title: str
    headers: list[str]
    rows: list[tuple[str, list[Path | str]]]


Block = str | Table | FigureRef | ClipGrid
"""Content of a section: a paragraph of plain text, a table, a figure or a grid of clips."""


@dataclass
class Section:
    """A titled part of the report: warnings first, then ``blocks`` in order, then fold-outs
    (``details``: title and preformatted text)."""

    title: str
    warnings: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    details: list[tuple[str, str]] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.title.lower()).strip("-")


STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222;
  margin: 0; background: #fafafa; line-height: 1.45; }
main { max-width: 1150px; margin: 0 auto; padding: 1.2rem 1.5rem 3rem; background: #fff; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd;
  padding-bottom: 0.2rem; }
.meta { color: #666; font-size: 0.9rem; }
nav ol { columns: 2; font-size: 0.92rem; }
.scroll { overflow-x: auto; margin: 0.8rem 0; }
table { border-collapse: collapse; font-size: 0.84rem; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.5rem; text-align: left; white-space: nowrap; }
th { background: #f0f2f5; }
tr:nth-child(even) td { background: #fafbfc; }
figure { margin: 1rem 0 1.6rem; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.86rem; margin-top: 0.3rem; }
.warning { background: #fff7e0; border-left: 4px solid #e0a800; padding: 0.4rem 0.7rem;
  margin: 0.4rem 0; font-size: 0.9rem; }
details { margin: 0.3rem 0; font-size: 0.85rem; }
details pre { background: #f5f5f5; padding: 0.5rem; overflow-x: auto; }
table.clips th, table.clips td { white-space: normal; vertical-align: top; max-width: 260px; }
"""


def render_html(title: str, meta: str, sections: list[Section], root: Path) -> str:
    """The page; figure paths are read from ``root`` and embedded."""
    nav = "".join(f'<li><a href="#{s.anchor}">{html.escape(s.title)}</a></li>' for s in sections)
    body = "\n".join(_section_html(section, root) for section in sections)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<link rel="icon" href="data:,">\n'
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n"
        f'<h1>{html.escape(title)}</h1>\n<p class="meta">{html.escape(meta)}</p>\n'
        f"<nav><ol>{nav}</ol></nav>\n{body}\n</main>\n</body>\n</html>\n"
    )


def _section_html(section: Section, root: Path) -> str:
    parts = [f'<section id="{section.anchor}">', f"<h2>{html.escape(section.title)}</h2>"]
    parts += [f'<p class="warning">{html.escape(w)}</p>' for w in section.warnings]
    for block in section.blocks:
        if isinstance(block, Table):
            parts.append(_table_html(block))
        elif isinstance(block, ClipGrid):
            parts.append(_clips_html(block))
        elif isinstance(block, FigureRef):
            data = base64.b64encode((root / block.png).read_bytes()).decode()
            alt = html.escape(block.caption, quote=True)
            parts.append(
                f'<figure><img src="data:image/png;base64,{data}" alt="{alt}">'
                f"<figcaption>{html.escape(block.caption)}</figcaption></figure>"
            )
        else:
            parts.append(f"<p>{html.escape(block)}</p>")
    for summary, text in section.details:
        parts.append(
            f"<details><summary>{html.escape(summary)}</summary>"
            f"<pre>{html.escape(text)}</pre></details>"
        )
    parts.append("</section>")
    return "\n".join(parts)


def _table_html(table: Table) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in table.headers)
    rows = []
    for i, row in enumerate(table.rows):
        cells = []
        for j, cell in enumerate(row):
            text = html.escape(cell)
            cells.append(f"<td><b>{text}</b></td>" if (i, j) in table.bold else f"<td>{text}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _clips_html(grid: ClipGrid) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in grid.headers)
    rows = []
    for label, cells in grid.rows:
        tds = [f"<td>{html.escape(label)}</td>"]
        for header, cell in zip(grid.headers[1:], cells):
            if isinstance(cell, Path):
                alt = html.escape(_alt(label, header), quote=True)
                src = html.escape(cell.as_posix(), quote=True)
                tds.append(f'<td><img src="{src}" alt="{alt}" loading="lazy"></td>')
            else:
                tds.append(f"<td>{html.escape(cell)}</td>")
        rows.append(f"<tr>{''.join(tds)}</tr>")
    return (
        f"<p><b>{html.escape(grid.title)}</b></p>"
        f'<div class="scroll"><table class="clips"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def render_markdown(title: str, meta: str, sections: list[Section]) -> str:
    """The Markdown file; figures are linked relative to the report folder."""
    lines = [f"# {title}", "", meta, ""]
    for section in sections:
        lines += [f"## {section.title}", ""]
        lines += [f"> **Warning:** {_md(w)}\n" for w in section.warnings]
        for block in section.blocks:
            if isinstance(block, Table):
                lines += [_table_markdown(block), ""]
            elif isinstance(block, ClipGrid):
                lines += [f"**{_md(block.title)}**", "", _clips_markdown(block), ""]
            elif isinstance(block, FigureRef):
                caption = _md(block.caption)
                lines += [f"![{caption}]({block.png.as_posix()})", "", f"*{caption}*", ""]
            else:
                lines += [_md(block), ""]
        for summary, text in section.details:
            lines += [
                f"<details><summary>{html.escape(summary)}</summary>",
                "",
                "```",
                text.rstrip(),
                "```",
                "",
                "</details>",
                "",
            ]
    return "\n".join(lines)


def _table_markdown(table: Table) -> str:
    lines = [
        "| " + " | ".join(_md(h) for h in table.headers) + " |",
        "|" + "---|" * len(table.headers),
    ]
    for i, row in enumerate(table.rows):
        cells = [f"**{_md(c)}**" if (i, j) in table.bold else _md(c) for j, c in enumerate(row)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _clips_markdown(grid: ClipGrid) -> str:
    lines = [
        "| " + " | ".join(_md(h) for h in grid.headers) + " |",
        "|" + "---|" * len(grid.headers),
    ]
    for label, cells in grid.rows:
        row = [_md(label)]
        for header, cell in zip(grid.headers[1:], cells):
            if isinstance(cell, Path):
                row.append(f"![{_md(_alt(label, header))}]({cell.as_posix()})")
            else:
                row.append(_md(cell))
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def _alt(label: str, header: str) -> str:
    """A clip's alternative text: its row's label and its column's first word."""
    return f"{label}, {header.split(':')[0]}"


def _md(text: str) -> str:
    """Escape the characters that Markdown would read as markup inside text or a table."""
    return re.sub(r"([\\|*_\[\]<>`])", r"\\\1", text)
