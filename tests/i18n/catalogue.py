"""Reading and regenerating the project's translation catalogues (locale/*/LC_MESSAGES/*.po).

A small reader of the PO format (what msgmerge and makemessages write), so the checks need no
extra library; and the catalogue regenerated from the sources into a temporary copy, exactly
as `manage.py makemessages -l de --no-location --no-wrap` would write it, without touching the
shipped one.
"""

import ast
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

ROOT = Path(settings.BASE_DIR)
LOCALE = ROOT / "locale"
# Not sources: the catalogues themselves, collected static files, anything hidden (.git, .venv).
NOT_SOURCES = {"locale", "var", "node_modules", "screenshots"}


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgctxt: str | None = None
    msgstrs: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def untranslated(self) -> bool:
        return not self.msgstrs or any(s == "" for s in self.msgstrs)

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    def __str__(self) -> str:
        context = f"[{self.msgctxt}] " if self.msgctxt is not None else ""
        return context + self.msgid


def read_po(path: Path) -> list[Entry]:
    """Every entry of a PO file, the header (msgid "") included. gettext's tools (msgmerge,
    makemessages) separate entries by a blank line, and so does this reader."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry, keyword, started = Entry(), "", False
        for raw in block.splitlines():
            line = raw.strip()
            if line.startswith("#~"):
                entry.obsolete = True
                line = line[2:].strip()
            if line.startswith("#,"):
                entry.flags |= {f.strip() for f in line[2:].split(",")}
                continue
            if not line or line.startswith("#"):
                continue
            if line.startswith('"'):
                value = ast.literal_eval(line)
            else:
                keyword, _, rest = line.partition(" ")
                value = ast.literal_eval(rest)
                started = True
                if keyword == "msgctxt":
                    entry.msgctxt = ""
                elif keyword.startswith("msgstr"):
                    entry.msgstrs.append("")
            if keyword == "msgctxt":
                entry.msgctxt = (entry.msgctxt or "") + value
            elif keyword == "msgid":
                entry.msgid += value
            elif keyword == "msgid_plural":
                entry.msgid_plural += value
            elif keyword.startswith("msgstr"):
                entry.msgstrs[-1] += value
        if started:
            entries.append(entry)
    return entries


def translations(path: Path) -> list[Entry]:
    """The live entries of a catalogue: no header, no obsolete ones."""
    return [e for e in read_po(path) if e.msgid and not e.obsolete]


def regenerate(workdir: Path, *, language: str, domain: str = "django") -> Path:
    """The catalogue as makemessages would make it now from the sources, merged with the
    shipped one (so known translations are kept and new msgids come out empty), written under
    `workdir`. Returns the regenerated .po."""
    tree = workdir / "project"
    tree.mkdir()
    for entry in ROOT.iterdir():
        if entry.name.startswith(".") or entry.name in NOT_SOURCES:
            continue
        (tree / entry.name).symlink_to(entry)
    shipped = LOCALE / language / "LC_MESSAGES" / f"{domain}.po"
    target = tree / "locale" / language / "LC_MESSAGES"
    target.mkdir(parents=True)
    if shipped.exists():
        shutil.copy(shipped, target / shipped.name)
    previous = Path.cwd()
    os.chdir(tree)
    try:
        with override_settings(LOCALE_PATHS=[tree / "locale"]):
            call_command(
                "makemessages",
                locale=[language],
                domain=domain,
                no_location=True,
                no_wrap=True,
                symlinks=True,
                verbosity=0,
            )
    finally:
        os.chdir(previous)
    return target / f"{domain}.po"


def compile_mo(po: Path, mo: Path) -> None:
    """Compile as `make messages` does (msgfmt --check: placeholders must match)."""
    subprocess.run(  # noqa: S603 - fixed arguments, our own files
        ["msgfmt", "--check", "-o", str(mo), str(po)],  # noqa: S607 - GNU gettext's msgfmt
        check=True,
        capture_output=True,
        text=True,
    )
