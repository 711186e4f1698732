"""A search box's text as plain words, and the marking of hits in a message."""

from __future__ import annotations

from wschat.archive.words import fts_match, marked_hits, words_of


def test_words_of_drops_every_operator_and_quote() -> None:
    assert words_of('"NEAR(foo* AND) OR -bar" text:baz ^qux') == (
        "NEAR",
        "foo",
        "AND",
        "OR",
        "bar",
        "text",
        "baz",
        "qux",
    )
    assert words_of('"*" () -') == ()
    assert fts_match(("say", "AND")) == '"say" "AND"'


def test_marked_hits_folds_umlauts_and_needs_every_word() -> None:
    assert marked_hits("Grüße aus Köln!", ("koln",)) == "Grüße aus \x02Köln\x03!"
    assert marked_hits("Grüße aus Köln!", ("koln", "berlin")) is None
    long = "x " * 100 + "Lieferung" + " y" * 100
    marked = marked_hits(long, ("lieferung",))
    assert marked is not None
    assert marked.startswith("…")
    assert marked.endswith("…")
    assert "\x02Lieferung\x03" in marked
