"""Tidy data and checks: the schema, the ingest CLI, validation, the audit and loading one year."""

# The audit owns its tables' columns (contract C3); importing this registers them with the schema.
from helpers.data import audit_schema as _audit_schema  # noqa: F401
