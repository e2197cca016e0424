"""When two written addresses are the same subscriber.

One rule for every way an address reaches the list — an import, ``subscribers add``, an
unsubscribe by address or by token — so an unsubscribe always finds the person it names:
email-validator's normalised form (surrounding spaces gone, the domain lower-cased and
IDNA-decoded, so ``x@xn--bcher-kva.de`` is ``x@bücher.de``; Unicode in NFC), then the whole
address case-folded. SQLite's ``NOCASE`` folds only ASCII, which is why the database keeps this
key in a column of its own instead of comparing the stored text.
"""

from __future__ import annotations

import unicodedata

from confusable_homoglyphs import confusables  # type: ignore[import-untyped]
from email_validator import EmailNotValidError, validate_email


def normalized_address(value: str) -> str:
    """The address as stored; raises ``ValueError`` with a readable reason when it is not one.

    Letters beyond ASCII before the ``@`` (``Ärla@…``) are refused: they need SMTPUTF8, which
    many mail servers and SendGrid do not offer, so such a subscriber could never be sent to.
    (Beyond ASCII after the ``@`` is fine: the domain travels IDNA-encoded.)"""
    try:
        return validate_email(
            value.strip(), check_deliverability=False, allow_smtputf8=False
        ).normalized
    except EmailNotValidError as exc:
        local = value.strip().rpartition("@")[0]
        if local and not local.isascii():
            raise ValueError(
                f"'{value.strip()}' has letters before the @ that mail servers often cannot"
                " deliver to (they need SMTPUTF8); ask the subscriber for another address"
            ) from None
        raise ValueError(f"'{value}' is not an email address ({exc})") from None


def address_key(value: str) -> str:
    """What two spellings of one address have in common; never raises.

    Text that is not an address (an old row, a slip on the command line) still gets a key, so
    looking it up finds nothing or its own row rather than failing.
    """
    try:
        normalized = normalized_address(value)
    except ValueError:
        normalized = unicodedata.normalize("NFC", value.strip())
    return key_of_normalized(normalized)


def key_of_normalized(address: str) -> str:
    """:func:`address_key` of an address :func:`normalized_address` made, without checking
    it again (an import of 100,000 rows would spend seconds on that)."""
    return address.casefold()


def lookalike_domain(address: str) -> str | None:
    """Why the domain of ``address`` may be a look-alike of another (``pаypal.com`` with a
    Cyrillic ``а``), or ``None``: a label beyond ASCII that mixes scripts confusably, or that
    reads letter for letter as an ASCII name. A domain wholly in another script that reads as
    nothing Latin (``пример.рф``) is not one. Uses Unicode's confusables (confusable-homoglyphs).
    """
    domain = address.rpartition("@")[2]
    for label in domain.split("."):
        if label.isascii():
            continue
        found = confusables.is_confusable(label, preferred_aliases=["latin"], greedy=True) or []
        latin = {f["character"]: _ascii_twin(f["homoglyphs"]) for f in found}
        reading = "".join(c if c.isascii() else latin.get(c) or "\0" for c in label)
        if "\0" not in reading or confusables.is_dangerous(label):
            scripts = sorted({confusables.alias(c) for c in label if not c.isascii()})
            letters = " and ".join(s.title() for s in scripts if s)
            shown = domain.replace(label, reading.replace("\0", "?"))
            return f"its domain looks like {shown} but has {letters} letters in it"
    return None


def _ascii_twin(homoglyphs: list[dict[str, str]]) -> str | None:
    return next((h["c"] for h in homoglyphs if h["c"].isascii() and h["c"].isalnum()), None)
