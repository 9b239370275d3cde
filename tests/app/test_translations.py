"""Korean is the source language; every wrapped string must have its English translation."""

import subprocess
import sys

from babel.messages.pofile import read_po

from tests.conftest import ROOT


def _catalog(path):
    with open(path, "rb") as f:
        return read_po(f)


def test_every_string_in_the_code_is_translated_to_english(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
         "-k", "lazy_gettext", "--no-location", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    in_code = {m.id for m in _catalog(pot) if m.id}
    english = _catalog(ROOT / "translations/en/LC_MESSAGES/messages.po")
    translated = {m.id for m in english if m.id and (m.string if isinstance(m.string, str) else all(m.string))}
    missing = sorted(str(i) for i in in_code - translated)
    assert not missing, "untranslated (run `flask translate update`, fill en): " + "; ".join(missing[:20])
    assert len(in_code) > 100
