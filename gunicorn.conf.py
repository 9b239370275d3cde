# gunicorn reads this file from the working directory: secrets in URLs (a calendar feed's key,
# a pairing code) never reach the access log.
import os

logger_class = "app.access_log.RedactingLogger"

# The live board's streams (/live/stream, server-sent events) stay open for minutes, each on a
# thread of its worker: the gthread worker with many threads, not sync workers (one stream would
# hold a whole worker). A worker takes at most `threads` connections, so a full worker stops
# accepting and another takes the connection instead of queueing it behind busy threads.
# README, "Live board", has the figures (bench/live_streams.py). Command-line options win.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "100"))
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", str(threads)))
# Without spare connections no request waits on a kept-alive socket (the reverse proxy pools).
keepalive = 0 if worker_connections <= threads else 2
