"""Tidy data and checks: the schema, the ingest CLI, validation, the audit and loading one year."""
