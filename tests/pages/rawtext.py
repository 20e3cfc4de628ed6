"""A checker for what a page shows a person: no raw identifiers on any page, no English
codes on a Chinese page, no Chinese on an English one.

It reads the visible text of a page (and the attributes a person reads: ``title``,
``placeholder``, ``aria-label``, ``alt``), leaves out the data the page was asked to
show (names, addresses, scope entries, numbers: ``data``) and the language switch
(each language's own name) and what is hidden from people (``aria-hidden``: a logo
glyph), and reports:

- ``snake_case`` words (a field name, a status code) on any page;
- a rule id (``R-LARGE-CAPITAL``) shown alone, with no words beside it;
- on a Chinese page, any Latin word but abbreviations and a few names (``PDF``,
  ``OpenAPI``);
- on an English page, any Chinese character.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

SKIP = {"script", "style", "template", "noscript"}
BLOCKS = {"p", "li", "td", "th", "dt", "dd", "div", "section", "h1", "h2", "h3", "h4",
          "label", "legend", "button", "a", "option", "summary", "caption", "span"}
ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
# Words allowed on a Chinese page: names and abbreviations people read as they are.
LATIN_OK = {"OpenAPI", "Yilian", "GB", "PDF", "CSV", "QR", "API", "ID", "SLA", "p95",
            "English", "CNY", "JSON", "SMS", "OTP", "Ed25519"}
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
RULE_ID = re.compile(r"\bR(?:-[A-Z]+)+\b")
LATIN = re.compile(r"[A-Za-z][A-Za-z0-9]*")
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skipping = 0
        self.hidden: list[str] = []  # open tags whose content is skipped (a logo, a script)
        self.in_language_switch = 0
        self.stack: list[list[str]] = [[]]  # text of each open block
        self.blocks: list[str] = []  # finished blocks' own text
        self.attributes: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in SKIP or attrs.get("aria-hidden") == "true":
            self.skipping += 1
            self.hidden.append(tag)
        if tag == "select" and attrs.get("name") == "language":
            self.in_language_switch += 1
        if not self.skipping and not self.in_language_switch:
            self.attributes += [attrs[a] for a in ATTRIBUTES if attrs.get(a)]
        if tag in BLOCKS:
            self.stack.append([])

    def handle_endtag(self, tag):
        if self.hidden and tag == self.hidden[-1] and self.skipping:
            self.hidden.pop()
            self.skipping -= 1
        if tag == "select" and self.in_language_switch:
            self.in_language_switch -= 1
        if tag in BLOCKS and len(self.stack) > 1:
            # A block's own words (an inner block is reported on its own), so each
            # problem is named once, where it is.
            self.blocks.append("".join(self.stack.pop()))
            self.stack[-1].append(" ")

    def handle_data(self, data):
        if not self.skipping and not self.in_language_switch:
            self.stack[-1].append(data)


def problems(html: str, language: str, data: tuple[str, ...] = ()) -> list[str]:
    """What a person should not read on this page, each with where it was found."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    texts = [*parser.blocks, "".join(parser.stack[0]), *parser.attributes]
    found: list[str] = []
    for text in texts:
        for value in sorted(data, key=len, reverse=True):
            if value:
                text = text.replace(value, " ")
        text = " ".join(text.split())
        found += [f"field name {m!r} in {text[:80]!r}" for m in SNAKE.findall(text)]
        for rule in RULE_ID.findall(text):
            if not re.search(r"[A-Za-z\u4e00-\u9fff]", RULE_ID.sub("", text)):
                found.append(f"rule id {rule!r} alone")
        if language.startswith("zh"):
            words = [w for w in LATIN.findall(RULE_ID.sub("", text))
                     if w not in LATIN_OK and not w.isupper() and not w[0].isdigit()]
            found += [f"Latin {w!r} in {text[:80]!r}" for w in words]
        else:
            found += [f"Chinese in {text[:80]!r}" for _ in CJK.findall(text)[:1]]
    return sorted(set(found))
