"""What a copy editor catches in an article's text, with the line (and column) it is on.

A word written twice in a row, a letter typed three times (``marrrow``), two spaces in a
row, a sentence or paragraph repeated or nearly repeated inside one article, a paragraph
that stops without a full stop, and a paragraph too long to read comfortably on a phone.
All are warnings: the text may mean it.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Callable, Iterator
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
MAX_COMPARED_WORDS = 400
"""Texts longer than this are compared by their first words (already a long paragraph)."""
COMMON_SHINGLE = 50
"""A run of three words found in this many sentences says nothing about any two of them."""
MAX_CANDIDATES = 10
"""Earlier sentences compared with each one, at most (those sharing most runs of words)."""
MAX_WARNINGS = 25
"""Copy-editing warnings shown per article; the rest are counted in one more warning."""

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_TOKEN = re.compile(r"\w+(?:['’.,]\w+)*")
"""Words and numbers: what sentences are compared by (numbers tell "2024" from "2025")."""
_TWICE = re.compile(r"(?<![\w'’-])([^\W\d_]+)(\s+)(\1)(?![\w'’-])", re.IGNORECASE)
_TRIPLED = re.compile(r"([^\W\d_])\1\1", re.IGNORECASE)
_DOUBLE_SPACE = re.compile(r"(?<=\S)[ \u00a0\u2007\u202f]{2,}(?=\S)")
_ADDRESS = re.compile(
    r"\]\([^()]*\)|<[^<>]*>|(?<!\S)\S*://\S*|(?<!\S)\S*www\.\S+|(?<!\S)[^\s@]+@\S+\.\S+"
)
"""Link targets, tags, web and mail addresses. Each alternative starts only where a run of
characters does and stops at the next '(' or '<': linear, even for 'aaaa…' or '<<<<…'."""
_CLOSERS = ' \t\n”"’»)]'
_SENTENCE_END = re.compile(r"(?<=[.!?…])[”\"’»)]*\s+(?=[\W_]{0,8}[^\W\d_]|\d)")


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
    return _at_most(article, sorted(problems, key=lambda p: (p.line or 0, p.column or 0)))


def _at_most(article: Article, problems: list[Problem]) -> list[Problem]:
    """The first :data:`MAX_WARNINGS` in reading order, then one warning counting the rest."""
    if len(problems) <= MAX_WARNINGS:
        return problems
    rest = problems[MAX_WARNINGS:]
    more = _warning(
        article,
        rest[0].line or 1,
        f"{len(rest)} more copy-editing warnings from here on",
        "fix the ones above and run check again",
    )
    return [*problems[:MAX_WARNINGS], more]


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
    line = paragraph.line  # counted on from the last sentence: linear in long paragraphs
    counted = 0
    ends = [m for m in _SENTENCE_END.finditer(paragraph.source)]
    for end in [*ends, None]:
        stop = end.start() if end is not None else len(paragraph.source)
        text = paragraph.source[start:stop]
        words = tuple(w.lower() for w in _TOKEN.findall(_ADDRESS.sub(" ", text)))
        if words:
            line += paragraph.source.count("\n", counted, start)
            counted = start
            yield _Sentence(line, index, words, " ".join(text.split()))
        if end is not None:
            start = end.end()


def similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _alike(a: tuple[str, ...], b: tuple[str, ...], shared_words: int) -> float:
    """:func:`similarity` if it can reach :data:`NEAR_REPEAT`, else 0: cheap bounds first
    (lengths, then ``shared_words``, the words they have in common counted with repeats)."""
    total = min(len(a), MAX_COMPARED_WORDS) + min(len(b), MAX_COMPARED_WORDS)
    if 2 * min(len(a), len(b), MAX_COMPARED_WORDS) < NEAR_REPEAT * total:
        return 0.0
    if 2 * shared_words < NEAR_REPEAT * total:
        return 0.0
    return similarity(a[:MAX_COMPARED_WORDS], b[:MAX_COMPARED_WORDS])


def near_repeats(
    texts: list[tuple[str, ...]],
    min_words: int,
    skip: Callable[[int, int], bool] = lambda i, j: False,
) -> Iterator[tuple[int, int, float]]:
    """``(i, j, ratio)`` for each text ``j`` that (nearly) repeats an earlier text ``i``, the
    earliest such ``i`` among the likeliest. Only texts sharing runs of three words are
    compared (two texts 80 % alike always share one), the few sharing most of them, and a
    run found in very many texts is no clue: so the cost grows with the length of the
    article, not with its square."""
    index: dict[tuple[str, ...], list[int]] = {}
    counts: dict[int, Counter[str]] = {}
    for j, words in enumerate(texts):
        if len(words) < min_words:
            continue
        counts[j] = Counter(words[:MAX_COMPARED_WORDS])
        shared: Counter[int] = Counter()
        for shingle in set(zip(words, words[1:], words[2:], strict=False)):
            posting = index.setdefault(shingle, [])
            if len(posting) < COMMON_SHINGLE:
                shared.update(posting)
                posting.append(j)
        likeliest = sorted(i for i, _ in shared.most_common(MAX_CANDIDATES))
        for i in likeliest:
            if skip(i, j):
                continue
            ratio = _alike(texts[i], words, (counts[i] & counts[j]).total())
            if ratio >= NEAR_REPEAT:
                yield i, j, ratio
                break


def _repeats(article: Article, paragraphs: list[Paragraph]) -> Iterator[Problem]:
    whole = [
        tuple(w.lower() for w in _TOKEN.findall(_ADDRESS.sub(" ", p.source))) for p in paragraphs
    ]
    paired: set[tuple[int, int]] = set()
    for i, j, ratio in near_repeats(whole, MIN_REPEAT_WORDS * 2):
        paired.add((i, j))
        yield _warning(
            article,
            paragraphs[j].line,
            _repeat_message("paragraph", ratio, paragraphs[i].line),
            "keep one of them",
        )
    sentences = [s for index, p in enumerate(paragraphs) for s in sentences_of(p, index)]
    words = [s.words for s in sentences]
    in_paired = lambda i, j: (sentences[i].paragraph, sentences[j].paragraph) in paired  # noqa: E731
    for i, j, _ in near_repeats(words, MIN_REPEAT_WORDS, in_paired):
        earlier, sentence = sentences[i], sentences[j]
        how = "repeats" if earlier.words == sentence.words else "nearly repeats"
        yield _warning(
            article,
            sentence.line,
            f"“{_shorten(sentence.text)}” {how} “{_shorten(earlier.text)}” (line {earlier.line})",
            "keep one of them, or merge what each adds",
        )


def _repeat_message(what: str, ratio: float, earlier_line: int) -> str:
    how = "repeats" if ratio == 1 else "nearly repeats"
    return f"this {what} {how} the one on line {earlier_line}"


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
