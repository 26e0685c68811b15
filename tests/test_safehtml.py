"""Is learner HTML made inert for the instructor, by our sanitiser and in nbgrader's own pages, while honest markdown
stays readable?"""

from __future__ import annotations

import base64
import os
import re
from html.parser import HTMLParser

import nbformat
import pytest

from pmle.grading import safehtml

from conftest import ROOT

ATTACKS = [
    '<img src=x onerror="alert(1)">',
    "<script>alert(2)</script>",
    "[click](javascript:alert(3))",
    "[entity](JaVa&#115;cript:alert(4))",
    '<a href="java&#9;script:alert(5)">tab</a>',
    "<javascript:alert(6)>",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCg3KTwvc2NyaXB0Pg==">data</a>',
    "<svg onload=alert(8)></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(9)>",
    '<iframe src="https://evil.example/"></iframe>',
    "<style>body { display: none }</style>",
    '<form action="/api/shutdown" method="post"><button>ok</button></form>',
    '<div style="position:fixed;top:0;left:0;width:100%;height:100%;background:white">fake score: 10/10</div>',
    '<a href="/logout">relative</a> <img src="/files/secret.png">',
    "<!-- <script>alert(10)</script> -->",
    "<base href=https://evil.example/>",
    '<details open ontoggle="alert(11)"><summary>x</summary></details>',
    '<p id="nbgrader_config">clobber</p>',
]


class Live(HTMLParser):
    """Collects what could run script, fetch something or move over the page."""

    TAGS = {"script", "iframe", "object", "embed", "svg", "math", "style", "link", "meta", "base", "form", "frame",
            "input", "button"}

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            url = "".join((value or "").split()).lower()
            if name.startswith("on") or name == "id":
                self.found.append(f"{tag} {name}")
            elif name == "href" and not url.startswith(("http:", "https:", "mailto:", "#")):
                self.found.append(f"href={value}")
            elif name == "src" and not re.match(r"data:image/(png|jpeg|gif|webp)[;,]", url):
                self.found.append(f"src={value}")
            elif name == "style" and re.search(r"position|width|height|margin|top|left", url):
                self.found.append(f"style={value}")

    handle_startendtag = handle_starttag


def live(fragment: str) -> list[str]:
    parser = Live()
    parser.feed(fragment)
    return parser.found


def as_nbconvert_renders(source: str, attachments: dict | None = None) -> str:
    """Markdown as nbconvert's HTMLExporter renders a markdown cell by default (what formgrader shows)."""
    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

    return MarkdownWithMath(renderer=IPythonRenderer(escape=False, attachments=attachments or {})).render(source)


@pytest.mark.parametrize("attack", ATTACKS)
def test_each_attack_is_live_unsanitised_and_inert_sanitised(attack):
    """Is each attack live as nbconvert renders it by default, and inert after our sanitiser, as HTML and as markdown?"""
    rendered = as_nbconvert_renders("Answer: " + attack)
    if "<!--" not in attack:
        assert live(rendered), rendered  # the detector sees the attack
    assert live(safehtml.clean_html(attack)) == []
    assert live(safehtml.render_markdown("Answer: " + attack)) == []
    cell = safehtml.markdown_cell_source("Answer: " + attack)
    assert "\n" not in cell and cell.startswith("<div>") and cell.endswith("</div>")
    assert live(as_nbconvert_renders(cell)) == [], cell  # our cell, rendered again by any markdown renderer


def test_honest_markdown_stays_readable():
    """Do headings, emphasis, code, lists, tables, quotes, math, http(s) links and pasted images survive?"""
    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
    source = ("# Why recall\n\nWe *weigh* **false negatives**: `recall = tp / (tp + fn)`, and $x^2 < y$.\n\n"
              "- one\n- two\n\n> a quote\n\n| cut | recall |\n|---|---|\n| 0.3 | 0.9 |\n\n"
              "```python\nif a < b:\n\n    print('x')\n```\n\n[docs](https://scikit-learn.org/) ![dot](attachment:dot.png)"
              "\n\n<details><summary>more</summary>AT&T</details>")
    cell = safehtml.markdown_cell_source(source, {"dot.png": {"image/png": png}})
    html = as_nbconvert_renders(cell)
    for kept in ("<h1>Why recall</h1>", "<em>weigh</em>", "<strong>false negatives</strong>",
                 "<code>recall = tp / (tp + fn)</code>", "$x^2 &lt; y$", "<li>one</li>", "<blockquote>",
                 "<td>0.9</td>", 'href="https://scikit-learn.org/"', 'rel="noopener noreferrer nofollow"',
                 f'src="data:image/png;base64,{png}"', "<summary>more</summary>", "AT&amp;T", 'class="highlight"'):
        assert kept in html, (kept, html)
    assert "&#10;&#10;    " in cell  # the blank line inside the code block is kept
    assert live(html) == []


def test_attachments_raw_cells_and_odd_text():
    """Are svg and html attachments and remote images dropped, a raw cell shown as text, and lone surrogates
    (valid in a notebook's JSON, not in UTF-8) replaced?"""
    svg = base64.b64encode(b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>').decode()
    page = base64.b64encode(b"<script>alert(2)</script>").decode()
    cell = safehtml.markdown_cell_source("![a](attachment:a.svg) ![p](attachment:p.html) ![r](https://evil.example/t.png)"
                                         " ![missing](attachment:nope.png) **still read**",
                                         {"a.svg": {"image/svg+xml": svg}, "p.html": {"text/html": page}})
    assert "svg" not in cell and "evil" not in cell and "script" not in cell and live(as_nbconvert_renders(cell)) == []
    assert '<img alt="missing">' in cell and "<strong>still read</strong>" in cell
    raw = safehtml.raw_cell_source("<script>alert(3)</script>\n<b>x</b>")
    assert raw == "<div><pre>&lt;script&gt;alert(3)&lt;/script&gt;&#10;&lt;b&gt;x&lt;/b&gt;</pre></div>"
    assert safehtml.markdown_cell_source("half \udc80").encode("utf-8")
    assert safehtml.clean_html(b"<b onclick=x>ok</b>") == "<b>ok</b>"


def test_the_checks_verdicts_stay_readable():
    """Does a check cell's verdict display (pmle.lab.show) keep its colour and folded explanation once cleaned?"""
    from pmle.lab import STYLE, _code, _markdown

    page = (f"<div style='color:{STYLE['pass'][1]}'><b>✓</b> {_code('`framing` is right')}</div>"
            f"<details style='margin-top:0.3em'><summary>Worked explanation</summary><div>{_markdown('**B**')}</div></details>")
    cleaned = safehtml.clean_html(page)
    assert f'style="color: {STYLE["pass"][1]};"' in cleaned.replace("color:", "color: ").replace("  ", " ")
    assert "<summary>Worked explanation</summary>" in cleaned and "<strong>B</strong>" in cleaned
    assert "<code>framing</code>" in cleaned


# ---------------------------------------------------------------- nbgrader's own pages, with the course's config


def _hostile_autograded() -> nbformat.NotebookNode:
    """An autograded notebook as plain `nbgrader autograde` leaves it: learner markdown, outputs and a raw cell."""
    nb = nbformat.v4.new_notebook()
    answer = nbformat.v4.new_markdown_cell("# Answer\n\n" + " ".join(ATTACKS[:8]) + " ![a](attachment:a.svg)")
    answer.attachments = {"a.svg": {"image/svg+xml": base64.b64encode(b"<svg onload='alert(1)'/>").decode()}}
    answer.metadata.nbgrader = {"grade": True, "solution": True, "locked": False, "grade_id": "explain", "points": 1,
                                "schema_version": 3, "score": 0}  # score: generate_feedback's GetGrades sets it
    code = nbformat.v4.new_code_cell("x = 1")
    code.outputs = [
        nbformat.v4.new_output("display_data", data={"text/plain": "x", "text/html": "<script>alert(12)</script>"
                                                     "<b onclick=alert(13)>bold</b>"}),
        nbformat.v4.new_output("display_data", data={"text/plain": "x", "application/javascript": "alert(14)"}),
        nbformat.v4.new_output("display_data", data={"text/plain": "x", "text/markdown": "[m](javascript:alert(15))"}),
    ]
    nb.cells = [answer, code, nbformat.v4.new_raw_cell("<img src=x onerror=alert(16)>")]
    return nb


class Attack(HTMLParser):
    """In a whole nbgrader page (whose own scripts and buttons are nbgrader's), what of the attacks is live: a script
    or an attribute holding one of their ``alert(`` calls, a javascript: link."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        self.in_script = tag == "script"
        for name, value in attrs:
            if "alert(" in (value or "") or "javascript:" in "".join((value or "").split()).lower():
                self.found.append(f"{tag} {name}={value[:40]}")

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        if self.in_script and "alert(" in data:
            self.found.append(f"<script>{data.strip()[:40]}")

    def handle_endtag(self, tag):
        self.in_script = False


def attacks(page: str) -> list[str]:
    parser = Attack()
    parser.feed(page)
    return parser.found


@pytest.mark.parametrize("template", ["formgrade", "feedback"])
def test_nbgraders_pages_sanitise_with_the_course_config(tmp_path, template):
    """Do formgrader's page and generate_feedback's page, built from the course's nbgrader_config.py, show learner
    markdown, outputs and raw cells inert (and would they be live without it)?"""
    from nbconvert.exporters import HTMLExporter
    from nbgrader.apps.baseapp import NbGrader
    from traitlets.config import Config

    formgrader = os.path.join(os.path.dirname(__import__("nbgrader").__file__), "server_extensions", "formgrader")
    resources = {"base_url": "/", "assignment_id": "a", "notebook_id": "n", "submission_id": "s", "index": 0,
                 "total": 1, "student": "st", "last_name": "", "first_name": "", "notebook_path": "p",
                 "nbgrader": {"notebook": "n", "score": 0, "max_score": 1, "late_penalty": 0}}

    def body(course_dir) -> str:
        cwd = os.getcwd()
        os.chdir(course_dir)
        try:
            app = NbGrader()
            app.initialize([])  # reads nbgrader_config.py from the current folder, as formgrader does
            config = Config(app.config)
        finally:
            os.chdir(cwd)
        config.HTMLExporter.template_name = template  # as formgrader and generate_feedback set them
        config.HTMLExporter.extra_template_basedirs = [os.path.join(formgrader, "templates")]
        config.HTMLExporter.extra_template_paths = [os.path.join(formgrader, "static", "node_modules", "bootstrap",
                                                                 "dist", "css")]
        html, _ = HTMLExporter(config=config).from_notebook_node(_hostile_autograded(), resources=dict(resources))
        return html

    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "nbgrader_config.py").write_text("c = get_config()\n")
    assert len(attacks(body(plain))) >= 5  # nbgrader's defaults: live
    course = body(ROOT)
    assert attacks(course) == []
    assert "<h1>Answer</h1>" in course and "<b>bold</b>" in course and "&lt;script&gt;alert(2)" in course
