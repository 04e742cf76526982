"""Documents described by an import (the XLSX sheet ``documents`` or ``--documents FILE``): checked, given
an id, and appended to documents.yaml as text (its comments kept). An import never changes a document that
documents.yaml already describes."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import yaml

from dashboard.pipeline.build import LINE, Document
from dashboard.pipeline.columns import PUBLISHED_BASIS
from dashboard.pipeline.hints import period_hint
from dashboard.pipeline.problems import Problem
from dashboard.schema import KIND_RANK

Complain = Callable[[str, str], None]  # (column, expected): one problem with the row being checked


@dataclass(frozen=True)
class NewDocument:
    row: int
    doc: Document
    language: str


def _slug(text: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")[:40].strip("-")


def check_documents(
    rows: list[dict[str, str]], existing: dict[str, Document], where: str, today: date
) -> tuple[dict[str, NewDocument], list[Problem], list[Problem]]:
    """Documents described by the import (title -> NewDocument) that documents.yaml does not have yet."""
    problems: list[Problem] = []
    warnings: list[Problem] = []
    new: dict[str, NewDocument] = {}
    ids = {d.id for d in existing.values()}
    first_row: dict[str, int] = {}
    for r in rows:
        n = int(r[LINE])

        def bad(col: str, expected: str, _n: int = n, _r: dict = r) -> None:
            problems.append(Problem(_n, col, repr(_r.get(col, "")), expected, where))

        title = r["document"]
        if not title:
            bad("document", "the document's title, exactly as in the rows' document column")
            continue
        if title in first_row:
            bad("document", f"each document once (already described on row {first_row[title]})")
            continue
        first_row[title] = n
        published = _check_description(r, bad, today)
        if title in existing:
            _check_unchanged(existing[title], r, published, bad)
            continue
        doc_id = _document_id(r, published, ids, bad)
        ids.add(doc_id)
        doc = Document(
            id=doc_id,
            document=title,
            url=r["url"],
            publisher=r["publisher"],
            kind=r["kind"] if r["kind"] in KIND_RANK else "news",
            published=published or today,
            published_basis=r["published_basis"],
        )
        new[title] = NewDocument(n, doc, r.get("language", ""))
    return new, problems, warnings


def _check_description(r: dict[str, str], bad: Complain, today: date) -> date | None:
    """Check url, publisher, kind, publication date and its basis; return the date when it reads."""
    if not re.match(r"^https?://\S+$", r["url"]):
        bad("url", "a link to the document (http:// or https://), without spaces")
    if not r["publisher"]:
        bad("publisher", "who published the document (the outlet or agency)")
    if r["kind"] not in KIND_RANK:
        bad("kind", f"one of {', '.join(KIND_RANK)} (it decides the precedence rule)")
    published = None
    try:
        published = date.fromisoformat(r["published"])
        if published > today:
            bad("published", f"a publication date that is not in the future (today is {today})")
    except ValueError:
        hint = period_hint(r["published"], "date")
        bad("published", "a date YYYY-MM-DD" + (f"; did you mean {hint}?" if hint else ""))
    if r["published_basis"] not in PUBLISHED_BASIS:
        bad(
            "published_basis",
            "url (the date is in the link), text (printed in the document) or estimated "
            "(not printed: the day after the latest period the document covers)",
        )
    return published


def _check_unchanged(old: Document, r: dict[str, str], published: date | None, bad: Complain) -> None:
    """A document documents.yaml already has may be described again only exactly as there."""
    same = (old.url, old.publisher, old.kind, old.published, old.published_basis) == (
        r["url"],
        r["publisher"],
        r["kind"],
        published,
        r["published_basis"],
    )
    if not same:
        bad(
            "document",
            "a document that documents.yaml does not describe yet, or exactly its description there "
            f"(url {old.url!r}, publisher {old.publisher!r}, kind {old.kind}, published "
            f"{old.published}, {old.published_basis}); an import never changes a document's "
            "description: edit documents.yaml and run `mtm build`",
        )


def _document_id(r: dict[str, str], published: date | None, ids: set[str], bad: Complain) -> str:
    """The id given (checked), else one made from publisher and date that no other document has."""
    doc_id = r.get("id", "")
    if doc_id:
        if not re.fullmatch(r"[a-z][a-z0-9-]*", doc_id):
            bad("id", "lower-case letters, digits and dashes, starting with a letter (or leave it empty)")
        elif doc_id in ids:
            bad("id", "an id that no other document has (or leave it empty to have one made)")
        return doc_id
    base = f"{_slug(r['publisher']) or 'doc'}-{published or 'undated'}"
    base = base if base[:1].isalpha() else f"doc-{base}"
    doc_id, k = base, 2
    while doc_id in ids:
        doc_id, k = f"{base}-{k}", k + 1
    return doc_id


def yaml_text(old_text: str, docs: list[NewDocument], source_name: str, when: date) -> str:
    """documents.yaml with the new documents appended as text (its comments kept), checked by re-parsing."""

    def q(s: str) -> str:
        return json.dumps(s, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar

    lines = []
    for nd in docs:
        d = nd.doc
        lines.append(f"  # added by `mtm import` from {q(source_name)} on {when.isoformat()}")
        lines.append(f"  - id: {q(d.id)}")
        lines.append(f"    document: {q(d.document)}")
        lines.append(f"    url: {q(d.url)}")
        lines.append(f"    publisher: {q(d.publisher)}")
        lines.append(f"    kind: {d.kind}")
        if nd.language:
            lines.append(f"    language: {q(nd.language)}")
        lines.append(f"    published: {d.published.isoformat()}")
        lines.append(f"    published_basis: {d.published_basis}")
    sep = "" if old_text.endswith("\n") else "\n"
    new_text = old_text + sep + "\n".join(lines) + "\n"
    old = yaml.safe_load(old_text)["documents"]
    got = yaml.safe_load(new_text)
    want_new = [(d.doc.id, d.doc.document, d.doc.url, d.doc.kind, d.doc.published) for d in docs]
    got_new = [
        (e["id"], e["document"], e["url"], e["kind"], e["published"]) for e in got["documents"][len(old) :]
    ]
    if list(got) != ["documents"] or got["documents"][: len(old)] != old or got_new != want_new:
        raise RuntimeError(
            "appending to documents.yaml would not give the documents intended; nothing written"
        )
    return new_text
