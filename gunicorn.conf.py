# gunicorn reads this file from the working directory: the access log masks calendar feed tokens.
logger_class = "wrc.lib.logmask.GunicornLogger"
