"""Tidy data and checks: the schema, the ingest CLI, validation, the audit and loading one year."""

import pandas as _pd

# Text columns hold Python strings (pandas's "python" storage of its str dtype), not Arrow arrays: the tables of one
# report are small (tens to hundreds of rows), and on them every filter, lookup and row conversion of an Arrow text
# column costs more than the work itself (pyarrow's `take` per column per filter). The same values, the same CSV and
# Parquet files; the audit of a report runs in about three quarters of the time. Set before any table is made, so
# every frame of the tidy data (helpers.data.schema.DTYPES) has one kind of text column.
_pd.set_option("mode.string_storage", "python")
