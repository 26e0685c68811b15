"""Learner markdown, raw cells and attachments made safe to show an instructor (and nbgrader's HTML pages).

A submission's markdown is the learner's HTML: rendered by nbconvert (as nbgrader's formgrader and
feedback pages render it, with ``sanitize_html`` off and ``javascript:`` links allowed), an
``<img src=x onerror=...>`` or a ``<script>`` runs on the instructor's Jupyter origin, which can
call the Jupyter API. Here every learner fragment goes through one allow-list sanitiser (bleach,
which nbconvert itself depends on):

- tags: text structure only (paragraphs, headings, emphasis, code, lists, tables, quotes, links,
  images, details); anything else (``script``, ``style``, ``iframe``, ``svg``, ``form``, ...) is
  shown as text, so the instructor sees what the learner wrote;
- attributes: a few per tag, never an event handler or ``id``; ``style`` only with colour, weight,
  alignment and padding (no position, size or margin: nothing can move over the page);
  ``class`` only with the short names of code highlighting;
- links: ``http``, ``https``, ``mailto`` and ``#anchors`` only, opened without a referrer;
  images: only ``data:`` PNG, JPEG, GIF or WebP (attachments and pasted images), so showing a page
  never makes the instructor's browser fetch anything, from the learner's server or the grader's.

``markdown_cell_source`` turns a learner's markdown cell into a markdown cell holding that
sanitised HTML on one line inside a ``<div>``: every markdown renderer (JupyterLab, nbconvert,
nbviewer) passes such an HTML block through as it is, so no renderer re-reads the learner's text
as markdown or HTML. ``raw_cell_source`` shows a raw cell as preformatted text.
``markdown2html`` and ``clean_html`` are the Jinja filters the course's nbgrader configuration
installs, so nbgrader's own pages sanitise too (its formgrade and feedback templates render
markdown cells without ``clean_html``, whatever ``HTMLExporter.sanitize_html`` says).
"""

from __future__ import annotations

import html
import re
from functools import cache

from jinja2 import pass_context

TAGS = frozenset({
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "em", "strong", "b", "i", "u", "s", "del", "ins",
    "mark", "small", "sub", "sup", "code", "pre", "kbd", "samp", "var", "blockquote", "q", "cite", "abbr",
    "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
    "a", "img", "span", "div", "details", "summary", "figure", "figcaption",
})
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "td": {"align", "colspan", "rowspan"},
    "ol": {"start", "type"},
    "details": {"open"},
}
STYLED = frozenset({"div", "span", "p", "b", "strong", "em", "code", "ul", "li", "details", "summary", "td", "th"})
CSS_PROPERTIES = ("color", "background-color", "font-weight", "font-style", "text-align", "padding", "padding-top",
                  "padding-bottom", "padding-left", "padding-right")  # no margin: a negative one moves text over the page
HIGHLIGHT_CLASS = re.compile(r"highlight|[a-z]{1,3}[0-9]?|language-[A-Za-z0-9_+-]{1,30}")
IMAGE_DATA = re.compile(r"data:image/(png|jpeg|gif|webp)[;,]")
LINK_SCHEMES = ("http", "https", "mailto")
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):")
_URL_JUNK = re.compile(r"[\x00-\x20\x7f-\xa0`]+")


def _url_allowed(value: str, image: bool) -> bool:
    """Whether a link (or an image's source) may stay: see the module's docstring."""
    url = _URL_JUNK.sub("", html.unescape(value)).lower()
    if image:
        return IMAGE_DATA.match(url) is not None
    if url.startswith("#"):
        return True
    scheme = _SCHEME.match(url)
    return scheme is not None and scheme.group(1) in LINK_SCHEMES


def _attribute_allowed(tag: str, name: str, value: str) -> bool:
    if name == "class":
        return tag in ("span", "div", "pre", "code") and all(HIGHLIGHT_CLASS.fullmatch(c) for c in value.split())
    if name == "style":
        return tag in STYLED
    if name == "href":
        return tag == "a" and _url_allowed(value, image=False)
    if name == "src":
        return tag == "img" and _url_allowed(value, image=True)
    return name in ATTRIBUTES.get(tag, ())


@cache
def _cleaner():
    import bleach
    from bleach.css_sanitizer import CSSSanitizer
    from bleach.html5lib_shim import Filter

    class LinksWithoutReferrer(Filter):
        def __iter__(self):
            for token in super().__iter__():
                if token.get("type") in ("StartTag", "EmptyTag") and token.get("name") == "a":
                    token["data"][(None, "rel")] = "noopener noreferrer nofollow"
                yield token

    return bleach.Cleaner(
        tags=TAGS, attributes=_attribute_allowed, protocols=[*LINK_SCHEMES, "data"], strip=False,
        strip_comments=True, css_sanitizer=CSSSanitizer(allowed_css_properties=CSS_PROPERTIES),
        filters=[LinksWithoutReferrer],
    )


def text(value: object) -> str:
    """``value`` as a string that encodes as UTF-8 (lone surrogates, which a learner can put in JSON, replaced)."""
    return str(value).encode("utf-8", "replace").decode("utf-8")


def clean_html(fragment: object) -> str:
    """An HTML fragment reduced to the allow-list: safe to put in any page."""
    if isinstance(fragment, bytes):
        fragment = fragment.decode("utf-8", "replace")
    return _cleaner().clean(text(fragment))


@cache
def _renderer_class():
    from nbconvert.filters.markdown_mistune import IPythonRenderer

    class Renderer(IPythonRenderer):
        """nbconvert's renderer, except that an image of a missing attachment has no source instead of failing."""

        def _embed_image_or_attachment(self, src: str) -> str:
            if src.startswith("attachment:") and src[len("attachment:"):] not in self.attachments:
                return ""
            return super()._embed_image_or_attachment(src)

    return Renderer


def render_markdown(source: str, attachments: dict | None = None) -> str:
    """Markdown as nbconvert (and so nbgrader) renders it, attachments inlined, then sanitised."""
    from nbconvert.filters.markdown_mistune import MarkdownWithMath

    source = text(source)
    usable = {name: bundle for name, bundle in (attachments or {}).items()
              if isinstance(name, str) and isinstance(bundle, dict) and bundle}
    try:
        renderer = _renderer_class()(escape=False, attachments=usable, exclude_anchor_links=True)
        rendered = MarkdownWithMath(renderer=renderer).render(source)
    except Exception:  # mistune or a malformed attachment: show the text as it is
        rendered = f"<pre>{html.escape(source)}</pre>"
    return clean_html(rendered)


def _one_block(fragment: str) -> str:
    """Sanitised HTML as one line in a <div>: every markdown renderer passes such a block through unread."""
    return "<div>" + fragment.replace("\r", "").replace("\n", "&#10;") + "</div>"


def markdown_cell_source(source: str, attachments: dict | None = None) -> str:
    """The source of a learner's markdown cell, made safe: its sanitised rendering as one HTML block."""
    return _one_block(render_markdown(source, attachments))


def raw_cell_source(source: str) -> str:
    """A learner's raw cell shown as preformatted text (raw cells can reach an HTML page unrendered)."""
    return _one_block(f"<pre>{html.escape(text(source), quote=False)}</pre>")


@pass_context
def markdown2html(context, source):
    """nbconvert's ``markdown2html`` filter, sanitised: installed in nbgrader's HTMLExporter by the course's config."""
    cell = context.get("cell", {}) or {}
    attachments = cell.get("attachments", {}) if hasattr(cell, "get") else {}
    return render_markdown(source, attachments if isinstance(attachments, dict) else {})
