"""An independent feed check, for the tests: no flemletter code is used here.

The W3C feed validator is not installable (it is Python 2, on no package index), so:

- Atom is validated against the RELAX NG schema of RFC 4287 (``tests/data/atom.rnc``, via
  rnc2rng and lxml), plus the RFC's rules that the schema states as Schematron or prose,
  plus the problems the W3C validator reports for feedgen's traps (``DuplicateAtomLink``,
  ``InvalidIntegerAttribute``, ``MediaGroupWithoutAlternatives``, ``ContainsRelRef``,
  ``SecurityRisk``);
- RSS 2.0 against the RSS Advisory Board's specification's required elements and formats;
- JSON Feed 1.1 against ``tests/data/jsonfeed-1.1.schema.json`` (jsonschema).

Each function returns a list of problems; an empty list means valid.
"""

from __future__ import annotations

import json
from email.utils import parsedate_to_datetime
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import lxml.html
import rnc2rng
from lxml import etree

DATA = Path(__file__).resolve().parent / "data"
ATOM = "{http://www.w3.org/2005/Atom}"
MEDIA = "{http://search.yahoo.com/mrss/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
UNSAFE_TAGS = {"script", "iframe", "style", "object", "embed", "form", "frame", "base", "link"}
SAFE_SCHEMES = ("https://", "http://", "mailto:")


@cache
def atom_schema() -> etree.RelaxNG:
    rng = rnc2rng.dumps(rnc2rng.loads((DATA / "atom.rnc").read_text(encoding="utf-8")))
    # rnc2rng declares `xmlns:local=""`, which XML namespaces forbid; the schema itself
    # names the empty namespace as ns="" and does not need the prefix.
    rng = rng.replace('xmlns:local=""', "")
    return etree.RelaxNG(etree.fromstring(rng.encode("utf-8")))


def html_problems(html: str, where: str) -> list[str]:
    """What the W3C validator calls SecurityRisk and ContainsRelRef, in an HTML fragment."""
    problems = []
    if not html.strip():
        return problems
    for element in lxml.html.fragments_fromstring(f"<div>{html}</div>")[0].iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in UNSAFE_TAGS:
            problems.append(f"{where}: SecurityRisk <{element.tag}>")
        for name, value in element.attrib.items():
            if name.lower().startswith("on") or name.lower() == "style":
                problems.append(f"{where}: SecurityRisk {name}= on <{element.tag}>")
            if name in ("href", "src") and not value.startswith(SAFE_SCHEMES):
                problems.append(f"{where}: ContainsRelRef or unsafe URL {name}={value!r}")
    return problems


def _duplicate_alternates(parent: etree._Element, where: str) -> list[str]:
    seen = set()
    problems = []
    for link in parent.findall(f"{ATOM}link"):
        if link.get("rel", "alternate") != "alternate":
            continue
        key = (link.get("type"), link.get("hreflang"))
        if key in seen:
            problems.append(f"{where}: DuplicateAtomLink {key}")
        seen.add(key)
    return problems


def atom_problems(xml: bytes) -> list[str]:
    root = etree.fromstring(xml)
    schema = atom_schema()
    problems = [] if schema.validate(root) else [str(e) for e in schema.error_log]
    feed_has_author = root.find(f"{ATOM}author") is not None
    if root.find(f"{ATOM}link[@rel='self']") is None:
        problems.append("feed: no rel=self link")
    problems += _duplicate_alternates(root, "feed")
    ids = [e.findtext(f"{ATOM}id") for e in root.findall(f"{ATOM}entry")]
    if len(ids) != len(set(ids)):
        problems.append("feed: two entries share an id")
    for entry in root.findall(f"{ATOM}entry"):
        where = f"entry {entry.findtext(f'{ATOM}id')}"
        if not feed_has_author and entry.find(f"{ATOM}author") is None:
            problems.append(f"{where}: MissingElement author")
        links = entry.findall(f"{ATOM}link")
        alternates = [link for link in links if link.get("rel", "alternate") == "alternate"]
        if not alternates and entry.find(f"{ATOM}content") is None:
            problems.append(f"{where}: neither an alternate link nor content")
        problems += _duplicate_alternates(entry, where)
        for link in links:
            length = link.get("length")
            if length is not None and not length.isdigit():
                problems.append(f"{where}: InvalidIntegerAttribute length={length!r}")
            if not link.get("href", "").startswith(SAFE_SCHEMES):
                problems.append(f"{where}: ContainsRelRef link {link.get('href')!r}")
        for group in entry.findall(f"{MEDIA}group"):
            if len(group) < 2:
                problems.append(f"{where}: MediaGroupWithoutAlternatives")
        for name in ("content", "summary"):
            element = entry.find(f"{ATOM}{name}")
            if element is not None and element.get("type") == "html":
                problems += html_problems(element.text or "", f"{where} {name}")
    return problems


def rss_problems(xml: bytes) -> list[str]:
    root = etree.fromstring(xml)
    problems = []
    if root.tag != "rss" or root.get("version") != "2.0":
        problems.append("not <rss version='2.0'>")
    channel = root.find("channel")
    if channel is None:
        return [*problems, "no <channel>"]
    for name in ("title", "link", "description"):
        if not (channel.findtext(name) or "").strip():
            problems.append(f"channel: missing <{name}>")
    self_links = channel.findall(f"{ATOM}link[@rel='self']")
    if len(self_links) != 1:
        problems.append("channel: needs exactly one atom:link rel=self")
    for name in ("pubDate", "lastBuildDate"):
        problems += _rfc822(channel.findtext(name), f"channel <{name}>")
    guids = []
    for item in channel.findall("item"):
        where = f"item {item.findtext('guid')}"
        if not (item.findtext("title") or item.findtext("description")):
            problems.append(f"{where}: neither title nor description")
        guid = item.find("guid")
        if guid is None or not guid.text:
            problems.append(f"{where}: no guid")
        else:
            guids.append(guid.text)
            if guid.get("isPermaLink") != "false" and not guid.text.startswith("http"):
                problems.append(f"{where}: a guid that is no URL needs isPermaLink='false'")
        problems += _rfc822(item.findtext("pubDate"), f"{where} <pubDate>")
        enclosures = item.findall("enclosure")
        if len(enclosures) > 1:
            problems.append(f"{where}: more than one enclosure")
        for enclosure in enclosures:
            if not (enclosure.get("length") or "").isdigit():
                problems.append(f"{where}: InvalidIntegerAttribute enclosure length")
            if "/" not in (enclosure.get("type") or ""):
                problems.append(f"{where}: enclosure without a media type")
            if not (enclosure.get("url") or "").startswith(("http://", "https://")):
                problems.append(f"{where}: enclosure url must be absolute http(s)")
        link = item.findtext("link")
        if link is not None and not link.startswith(("http://", "https://")):
            problems.append(f"{where}: ContainsRelRef <link>")
        for element in (item.find("description"), item.find(f"{CONTENT}encoded")):
            if element is not None:
                problems += html_problems(element.text or "", f"{where} {element.tag}")
    if len(guids) != len(set(guids)):
        problems.append("channel: two items share a guid")
    return problems


def _rfc822(value: str | None, where: str) -> list[str]:
    if value is None:
        return []
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return [f"{where}: {value!r} is not an RFC 822 date"]
    return [] if moment.tzinfo is not None else [f"{where}: {value!r} has no time zone"]


def json_feed_problems(raw: bytes) -> list[str]:
    document: Any = json.loads(raw.decode("utf-8"))
    schema = json.loads((DATA / "jsonfeed-1.1.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    problems = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    for item in document.get("items", []):
        problems += html_problems(item.get("content_html", ""), f"item {item.get('id')}")
    ids = [item.get("id") for item in document.get("items", [])]
    if len(ids) != len(set(ids)):
        problems.append("two items share an id")
    return problems
