"""What a copy editor catches in an article's text, with the line (and column) it is on.

A word written twice in a row, a letter typed three times (``marrrow``), two spaces in a
row, a sentence or paragraph repeated or nearly repeated inside one article, a paragraph
that stops without a full stop, and a paragraph too long to read comfortably on a phone.
All are warnings: the text may mean it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from flemletter.markup import inline_text, parse
from flemletter.models import Article
from flemletter.problems import Problem, Severity

LONG_PARAGRAPH_WORDS = 120
"""Above this a paragraph fills more than a phone screen: split it."""
NEAR_REPEAT = 0.8
"""How alike (by words, 0..1) two sentences must be to count as one repeated."""
MIN_REPEAT_WORDS = 8
"""Shorter sentences ("Thank you.") may well recur on purpose."""

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_TOKEN = re.compile(r"\w+(?:['’.,]\w+)*")
"""Words and numbers: what sentences are compared by (numbers tell "2024" from "2025")."""
_TWICE = re.compile(r"(?<![\w'’-])([^\W\d_]+)(\s+)(\1)(?![\w'’-])", re.IGNORECASE)
_TRIPLED = re.compile(r"([^\W\d_])\1\1", re.IGNORECASE)
_DOUBLE_SPACE = re.compile(r"(?<=\S)[ \u00a0\u2007\u202f]{2,}(?=\S)")
_ADDRESS = re.compile(r"\]\([^)]*\)|<[^>]*>|\S+://\S+|www\.\S+|\S+@\S+\.\S+")
_CLOSERS = ' \t\n”"’»)]'
_SENTENCE_END = re.compile(r"(?<=[.!?…])[”\"’»)]*\s+(?=[\W_]*[^\W\d_]|\d)")


@dataclass(frozen=True)
class Paragraph:
    line: int
    """First line in the article file."""
    source: str
    """The paragraph's Markdown, line breaks kept (blockquote markers removed)."""
    text: str
    """Its words, markup removed."""


def prose_problems(article: Article) -> list[Problem]:
    """Every copy-editing warning for one article."""
    problems = list(_typing_slips(article))
    paragraphs = list(paragraphs_of(article))
    problems += _long_paragraphs(article, paragraphs)
    problems += _unfinished_paragraphs(article)
    problems += _repeats(article, paragraphs)
    return problems


def paragraphs_of(article: Article) -> Iterator[Paragraph]:
    first = article.lines.get("body", 1)
    tokens = parse(article.body_markdown)
    for index, token in enumerate(tokens):
        if token.type == "paragraph_open" and token.map is not None:
            inline = tokens[index + 1]
            yield Paragraph(first + token.map[0], inline.content, inline_text(inline))


def _warning(
    article: Article, line: int, message: str, hint: str, column: int | None = None
) -> Problem:
    return Problem(article.source, line, message, Severity.WARNING, hint, column)


def _lines_to_read(article: Article) -> Iterator[tuple[int, str]]:
    """(line, text) of the title, the teaser and the body outside code blocks."""
    for field_name in ("title", "teaser"):
        value = getattr(article, field_name)
        if field_name in article.lines and value:
            yield article.lines[field_name], value
    fenced = False
    first = article.lines.get("body", 1)
    for offset, text in enumerate(article.body_markdown.splitlines()):
        if text.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and not text.startswith("    "):
            yield first + offset, text


def _typing_slips(article: Article) -> Iterator[Problem]:
    for line, raw in _lines_to_read(article):
        # web and mail addresses are not prose: "www", "ll" in hosts, and so on
        text = _ADDRESS.sub(lambda m: "0" * len(m.group()), raw)
        for match in _TWICE.finditer(text):
            yield _warning(
                article,
                line,
                f"'{match.group(1)}{match.group(2)}{match.group(3)}': a word written twice",
                "remove one of them",
                match.start(3) + 1,
            )
        for word in _WORD.finditer(text):
            if not word.group().isupper() and _TRIPLED.search(word.group()):
                yield _warning(
                    article,
                    line,
                    f"'{word.group()}' has a letter three times in a row",
                    "a typing slip?",
                    word.start() + 1,
                )
        for match in _DOUBLE_SPACE.finditer(text):
            no_break = bool(match.group().strip(" "))
            yield _warning(
                article,
                line,
                "two spaces in a row" + (" (one a no-break space)" if no_break else ""),
                "one is enough"
                + (": a no-break space shows as a space of its own" if no_break else ""),
                match.start() + 1,
            )


def _long_paragraphs(article: Article, paragraphs: list[Paragraph]) -> Iterator[Problem]:
    for paragraph in paragraphs:
        words = len(_WORD.findall(paragraph.text))
        if words > LONG_PARAGRAPH_WORDS:
            yield _warning(
                article,
                paragraph.line,
                f"a paragraph of {words} words (more than {LONG_PARAGRAPH_WORDS})",
                "on a phone this is a wall of text: split it where the thought turns",
            )


def _unfinished_paragraphs(article: Article) -> Iterator[Problem]:
    """A paragraph of running text that stops without a full stop (or ! ? : …)."""
    first = article.lines.get("body", 1)
    tokens = parse(article.body_markdown)
    in_list = 0
    for index, token in enumerate(tokens):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            in_list += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            in_list -= 1
        elif token.type == "paragraph_open" and not in_list and token.map is not None:
            words = inline_text(tokens[index + 1]).rstrip(_CLOSERS)
            if len(_WORD.findall(words)) >= MIN_REPEAT_WORDS and words[-1:].isalnum():
                yield _warning(
                    article,
                    first + token.map[1] - 1,
                    f"the paragraph ends without a full stop: “…{' '.join(words.split()[-4:])}”",
                    "end it with a full stop (or ! or ?), or join it to the next",
                )


@dataclass(frozen=True)
class _Sentence:
    line: int
    paragraph: int
    words: tuple[str, ...]
    text: str


def sentences_of(paragraph: Paragraph, index: int) -> Iterator[_Sentence]:
    start = 0
    ends = [m for m in _SENTENCE_END.finditer(paragraph.source)]
    for end in [*ends, None]:
        stop = end.start() if end is not None else len(paragraph.source)
        text = paragraph.source[start:stop]
        words = tuple(w.lower() for w in _TOKEN.findall(_ADDRESS.sub(" ", text)))
        if words:
            line = paragraph.line + paragraph.source.count("\n", 0, start)
            yield _Sentence(line, index, words, " ".join(text.split()))
        if end is not None:
            start = end.end()


def similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _repeats(article: Article, paragraphs: list[Paragraph]) -> Iterator[Problem]:
    whole = [
        tuple(w.lower() for w in _TOKEN.findall(_ADDRESS.sub(" ", p.source))) for p in paragraphs
    ]
    paired: set[tuple[int, int]] = set()
    for j, later in enumerate(whole):
        for i in range(j):
            if min(len(whole[i]), len(later)) >= MIN_REPEAT_WORDS * 2:
                ratio = similarity(whole[i], later)
                if ratio >= NEAR_REPEAT:
                    paired.add((i, j))
                    yield _warning(
                        article,
                        paragraphs[j].line,
                        _repeat_message("paragraph", ratio, paragraphs[i].line),
                        "keep one of them",
                    )
                    break
    sentences = [s for index, p in enumerate(paragraphs) for s in sentences_of(p, index)]
    for j, sentence in enumerate(sentences):
        for earlier in sentences[:j]:
            if (earlier.paragraph, sentence.paragraph) in paired:
                continue
            if min(len(earlier.words), len(sentence.words)) < MIN_REPEAT_WORDS:
                continue
            ratio = similarity(earlier.words, sentence.words)
            if ratio >= NEAR_REPEAT:
                how = "repeats" if earlier.words == sentence.words else "nearly repeats"
                yield _warning(
                    article,
                    sentence.line,
                    f"“{_shorten(sentence.text)}” {how} “{_shorten(earlier.text)}”"
                    f" (line {earlier.line})",
                    "keep one of them, or merge what each adds",
                )
                break


def _repeat_message(what: str, ratio: float, earlier_line: int) -> str:
    how = "repeats" if ratio == 1 else "nearly repeats"
    return f"this {what} {how} the one on line {earlier_line}"


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
