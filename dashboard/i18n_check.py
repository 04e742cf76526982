"""Which gettext messages in the code have no Russian or Kazakh translation.

    python -m dashboard.i18n_check [paths…]  # prints 'lang  file:line  message' for each gap; exit 1 if any

The tests run the same check over the whole code base (tests/test_i18n.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file

from dashboard import i18n

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None}
CODE_DIRS = ("dashboard", "layouts", "callbacks")


def messages(paths: list[Path] | None = None) -> list[tuple[str, int, str | tuple[str, ...]]]:
    """(file, line, msgid) for every marked message; a plural message gives (singular, plural)."""
    files = paths or [p for d in CODE_DIRS for p in sorted((ROOT / d).rglob("*.py"))]
    out = []
    for f in files:
        for lineno, msgid, _comments, _ctx in extract_from_file("python", str(f), keywords=KEYWORDS):
            out.append((str(Path(f).resolve().relative_to(ROOT)), lineno, msgid))
    return out


def gaps(lang: str, paths: list[Path] | None = None) -> list[tuple[str, int, str]]:
    cat = i18n.catalog(lang)
    out = []
    for f, line, msgid in messages(paths):
        key = msgid[0] if isinstance(msgid, tuple) else msgid
        if not key:
            continue
        msg = cat.get(key)
        if msg is None or not msg.string or (isinstance(msg.string, tuple) and not all(msg.string)):
            out.append((f, line, key))
    return out


def main(argv: list[str]) -> int:
    paths = [Path(a).resolve() for a in argv] or None
    missing = [(lang, *g) for lang in i18n.LANGUAGES if lang != i18n.DEFAULT for g in gaps(lang, paths)]
    for lang, f, line, msgid in missing:
        print(f"{lang}  {f}:{line}  {msgid!r}")
    print(f"{len(missing)} untranslated message(s)", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
