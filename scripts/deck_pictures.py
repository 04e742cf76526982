"""Look at a deck or Word file: render every page to PNG with LibreOffice (headless) and poppler's pdftoppm.

    python scripts/deck_pictures.py briefing.pptx pictures/ [--dpi 60]

Writes pictures/<name>-01.png, … (one per slide or page) and prints their paths. Needs `soffice`
(Debian: libreoffice-impress-nogui, libreoffice-writer-nogui; `make test` installs Impress where root + apt
allow) and `pdftoppm` (poppler-utils). Creating the files never needs them: this is only for looking.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


class Missing(RuntimeError):
    """A tool this needs is not installed."""


def render(document: Path, out: Path, dpi: int = 60, timeout: float = 180) -> list[Path]:
    soffice, pdftoppm = shutil.which("soffice"), shutil.which("pdftoppm")
    if not soffice or not pdftoppm:
        raise Missing("needs soffice (LibreOffice) and pdftoppm (poppler-utils)")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        # a profile of its own: no clash with another soffice running on the machine
        profile = Path(tmp, "profile").as_uri()
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation={profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                tmp,
                str(document),
            ],
            check=True,
            capture_output=True,
            timeout=timeout,
        )
        pdf = Path(tmp, document.with_suffix(".pdf").name)
        stem = out / document.stem
        subprocess.run([pdftoppm, "-r", str(dpi), "-png", str(pdf), str(stem)], check=True, timeout=timeout)
    return sorted(out.glob(f"{document.stem}-*.png"))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("document", type=Path)
    p.add_argument("out", type=Path)
    p.add_argument("--dpi", type=int, default=60)
    args = p.parse_args(argv)
    try:
        pages = render(args.document, args.out, args.dpi)
    except Missing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for page in pages:
        print(page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
