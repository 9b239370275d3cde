# gunicorn reads this file from the working directory: secrets in URLs (a calendar feed's key,
# a pairing code) never reach the access log.
logger_class = "app.access_log.RedactingLogger"
