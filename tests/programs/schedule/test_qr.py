"""The timetable's QR code decodes at every print resolution from 72 to 600 dpi (every 8 dpi),
rasterised by librsvg (rsvg-convert) at its printed size and read by zbar (zbarimg)."""

import os
import shutil
import subprocess

import pytest

from programs.schedule.qr import svg

URL = "https://ieum.example.org/tablet"
PRINTED_INCHES = 1.5  # .timetable__qr svg { width: 9rem }: 144 CSS px = 1.5 in on paper
TOOLS = {name: shutil.which(name) for name in ("rsvg-convert", "zbarimg")}


@pytest.fixture
def tools():
    missing = [name for name, path in TOOLS.items() if path is None]
    if missing:
        reason = f"{', '.join(missing)} missing (apt-get install librsvg2-bin zbar-tools)"
        if os.environ.get("CI") or os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)
    return TOOLS


def _decode_at(tools, svg_path, png_path, dpi: int) -> str:
    side = round(PRINTED_INCHES * dpi)
    subprocess.run(
        [tools["rsvg-convert"], "-w", str(side), "-h", str(side), "-o", str(png_path), str(svg_path)],
        check=True,
    )
    result = subprocess.run(
        [tools["zbarimg"], "-q", "--raw", str(png_path)], capture_output=True, text=True
    )
    return result.stdout.strip()


def test_qr_decodes_at_every_resolution_from_72_to_600_dpi(tools, tmp_path):
    svg_path = tmp_path / "qr.svg"
    svg_path.write_text(str(svg(URL, title="태블릿 화면 주소")), encoding="utf-8")
    failed = [
        dpi
        for dpi in range(72, 601, 8)
        if _decode_at(tools, svg_path, tmp_path / f"qr-{dpi}.png", dpi) != URL
    ]
    assert failed == []


def test_qr_is_filled_rectangles_of_one_path_with_a_viewbox():
    text = str(svg(URL, title="<주소>"))
    assert text.count("<path") == 1 and "stroke" not in text
    assert 'viewBox="0 0 37 37"' in text  # 29 modules (version 3) + 2 × 4 quiet zone
    assert '<rect width="37" height="37" fill="#fff"/>' in text
    assert "<title>&lt;주소&gt;</title>" in text
