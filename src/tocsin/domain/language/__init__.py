"""The language check: wording that blames children for their own abuse, and what to write
instead (DOMAIN.md section 4). Plain Python; imports nothing from Django.

The check warns and never blocks: :func:`check_text` and :func:`check_fields` return
:class:`LanguageWarning` values with character offsets so a page can highlight the wording
inline and suggest the alternatives; the text is saved as written.

Errors raised here::

    ValueError
    └── PhraseTableError   a phrase table file is malformed, or its examples do not check out
"""

from tocsin.domain.language._check import LanguageWarning, check_fields, check_text
from tocsin.domain.language._table import (
    Phrase,
    PhraseTable,
    PhraseTableError,
    default_phrase_table,
    load_phrase_table,
    parse_phrase_table,
)

__all__ = [
    "LanguageWarning",
    "Phrase",
    "PhraseTable",
    "PhraseTableError",
    "check_fields",
    "check_text",
    "default_phrase_table",
    "load_phrase_table",
    "parse_phrase_table",
]
