"""takt's shared kernel: database, configuration, auth, errors, the API's blueprint class and the
idempotent-transaction decorator. It imports no domain package: the app is composed above it, in `app.py`."""
