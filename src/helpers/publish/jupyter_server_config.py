"""Jupyter server configuration for `make lab`: templates are saved without outputs (helpers.publish.lab)."""

from helpers.publish.lab import strip_outputs

c.ContentsManager.pre_save_hook = strip_outputs  # noqa: F821 - `c` is the config object Jupyter provides
