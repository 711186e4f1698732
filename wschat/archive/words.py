"""A search box's text as plain words: whatever a user types is never query syntax.

FTS5 operators (``AND``, ``NEAR``, ``*``, ``"``, ``column:``) and MongoDB regex characters are taken as
text; only the words in it are searched for, each quoted (https://www.sqlite.org/fts5.html#fts5_strings).
"""

from __future__ import annotations

import re
import unicodedata

#: Letters and digits, as FTS5's unicode61 tokenizer splits them (it also splits at ``_``).
_WORD = re.compile(r"[^\W_]+")
MAX_WORDS = 12


def words_of(text: str) -> tuple[str, ...]:
    """The distinct words of ``text``, in order, at most :data:`MAX_WORDS`."""
    found: list[str] = []
    for word in _WORD.findall(unicodedata.normalize("NFC", text)):
        if word.lower() not in (w.lower() for w in found):
            found.append(word)
    return tuple(found[:MAX_WORDS])


def fts_match(words: tuple[str, ...]) -> str:
    """An FTS5 MATCH expression that needs every word: each one a quoted string, never an operator."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in words)


def fts_match_in(column: str, words: tuple[str, ...], tenant_id: str) -> str:
    """As :func:`fts_match`, every word in ``column``, and the tenant's own token in column ``tenant_id``
    (an id's last run of letters and digits: ``ten_3f2a…`` → ``3f2a…``, unique per tenant)."""
    token = _WORD.findall(tenant_id)[-1]
    parts = [f'{column} : "' + word.replace('"', '""') + '"' for word in words]
    return " AND ".join([*parts, f'tenant_id : "{token}"'])


def folded(word: str) -> str:
    """Lower case without accents or umlauts (ü → u), as unicode61 remove_diacritics 2 folds them."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


#: Characters of a snippet around its first hit.
SNIPPET_SPAN = 60


def marked_hits(text: str, words: tuple[str, ...]) -> str | None:
    """``text`` around its first hit with each word that matches put between \x02 and \x03 (as FTS5's
    snippet()), if it holds every one of ``words`` as FTS5 would find them; else None."""
    wanted = {folded(word) for word in words}
    tokens = list(_WORD.finditer(text))
    if not wanted <= {folded(t.group(0)) for t in tokens}:
        return None
    hits = [t for t in tokens if folded(t.group(0)) in wanted]
    start = max(0, hits[0].start() - SNIPPET_SPAN) if hits else 0
    end = min(len(text), start + 3 * SNIPPET_SPAN)
    out, at = [], start
    for hit in hits:
        if hit.start() < start or hit.end() > end:
            continue
        out += [text[at : hit.start()], "\x02", hit.group(0), "\x03"]
        at = hit.end()
    out.append(text[at:end])
    return ("…" if start else "") + "".join(out) + ("…" if end < len(text) else "")
