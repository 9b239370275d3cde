"""The yardstick of ``bench/peak.py``: the smallest Flask app, served by the same gunicorn."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "hello"
