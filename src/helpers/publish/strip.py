"""The git filter that commits notebook templates without outputs: nbstripout, started quickly.

`make setup` registers `python -m helpers.publish.strip --keep-id --extra-keys metadata.language_info` as the
`nbstripout` clean filter (.gitattributes). Git runs it once per notebook for every `git status`, `add` or `commit`
that looks at a changed template; nbstripout imports nbformat, and nbformat's jsonschema would build its IRI
grammars first (about 3 s a notebook): they are left for a check that uses them (kernels.skip_iri_grammars), so
the filter takes about half a second. The arguments and the output are nbstripout's own.
"""

from __future__ import annotations

from helpers.publish.kernels import skip_iri_grammars


def main() -> None:
    skip_iri_grammars()
    from nbstripout import main as nbstripout

    nbstripout()


if __name__ == "__main__":
    main()
