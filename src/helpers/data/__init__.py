"""Tidy data and checks: the schema, the ingest CLI, validation, the audit and loading one year."""

# pandas' text storage is set by helpers.data.schema, which every module here that makes a table imports: this
# package imports no pandas itself, so that the batch can read what the tidy data holds (helpers.data.catalog)
# without it.
