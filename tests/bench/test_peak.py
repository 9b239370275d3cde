"""bench/peak.py's machinery: gunicorn started on a free port and stopped on exit, and wrk's
Lua script rotating paths and bodies, read back into figures."""

import os
import shutil
from argparse import Namespace
from pathlib import Path

import pytest
import requests

from bench import peak

WRK = shutil.which("wrk") or "/usr/bin/wrk"


@pytest.fixture
def hello(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(peak.ROOT)}
    base = peak.gunicorn("bench.peak_hello:app", env, tmp_path / "hello.log")
    yield base
    peak.stop_all()


def test_the_hello_app_runs_under_gunicorn_and_is_stopped(hello):
    assert requests.get(hello + "/", timeout=10).text == "hello"
    [proc] = peak._children
    peak.stop_all()
    assert proc.poll() is not None and not peak._children
    with pytest.raises(requests.ConnectionError):
        requests.get(hello + "/", timeout=5)


@pytest.mark.skipif(not Path(WRK).exists(), reason="wrk missing")
def test_wrk_rotates_the_items_and_reports_figures(hello, tmp_path):
    items = [{"path": "/"}, {"path": "/?b=1", "headers": {"X-Peak": "1"}},
             {"method": "PUT", "path": "/", "put": True, "headers": {"Content-Type": "application/json"}}]
    args = Namespace(connections=2, duration=1)
    figures = peak.wrk(WRK, hello, items, args, tmp_path)
    assert figures["requests"] > 0 and figures["rps"] > 0
    assert 0 < figures["p50"] <= figures["p99"]
    # the PUT goes to a GET-only route: 405, counted as a non-2xx/3xx answer
    assert figures["status"] > 0 and figures["socket"] == 0
    text = peak.line("hello", figures, 0.5)
    assert "req/s" in text and "50.0% of hello" in text and "non-2xx/3xx" in text
