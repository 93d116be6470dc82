"""takt's shared kernel: database, configuration, auth, errors, the API's blueprint class and the
idempotent-transaction decorator; and what every domain does alike: master records by natural key
(`records`: save, bulk upsert, delete one nothing uses), document lifecycles (`lifecycle`: a transitions
table per document, one lock-and-check helper, one 409 `invalid_transition`) and the times and numbers of
JSON and the planning contract (`formats`). It imports no domain package: the app is composed above it,
in `app.py`."""
