"""The git filter that commits notebook templates without outputs: nbstripout, started quickly, once.

`make setup` registers `python -m helpers.publish.strip --keep-id --extra-keys metadata.language_info` as the
`nbstripout` clean filter (.gitattributes), and the same with `--process` as its long-running process: git starts
it once per command (`git status`, `add`, `commit`, `diff`) and hands it every notebook that command looks at,
instead of starting a filter per notebook. nbstripout imports nbformat, and nbformat's jsonschema would build its
IRI grammars first (about 3 s): they are left for a check that uses them (kernels.skip_iri_grammars), so the filter
starts in about half a second. The arguments and the output are nbstripout's own, notebook by notebook.
"""

from __future__ import annotations

import io
import sys

from helpers.publish.kernels import skip_iri_grammars

FLUSH = b"0000"
MAX_DATA = 65516  # git's largest packet payload


class _Kept(io.BytesIO):
    """A buffer nbstripout's text wrapper can close without losing what was written to it."""

    def close(self) -> None:
        pass


class _Stream:
    def __init__(self, buffer: io.BytesIO):
        self.buffer = buffer


def stripped(content: bytes, arguments: list[str]) -> bytes:
    """What `nbstripout ARGUMENTS < content` writes (SystemExit when nbstripout refuses the input)."""
    from nbstripout import main as nbstripout

    out = _Kept()
    streams, argv = (sys.stdin, sys.stdout), sys.argv
    sys.stdin, sys.stdout, sys.argv = _Stream(io.BytesIO(content)), _Stream(out), ["nbstripout", *arguments]
    try:
        nbstripout()
    finally:
        (sys.stdin, sys.stdout), sys.argv = streams, argv
    return out.getvalue()


# git's long-running filter protocol (gitattributes, "Long Running Filter Process"): packets of a 4-digit hex length
# (itself included) and data, "0000" ends a list.

def _read_packet(stream) -> bytes | None:
    """One packet's data; None for a flush packet."""
    size = stream.read(4)
    if len(size) < 4:
        raise EOFError
    length = int(size, 16)
    return None if length == 0 else stream.read(length - 4)


def _read_list(stream) -> list[bytes]:
    packets = []
    while (packet := _read_packet(stream)) is not None:
        packets.append(packet)
    return packets


def _write(stream, *packets: bytes | None) -> None:
    for packet in packets:
        stream.write(FLUSH if packet is None else b"%04x" % (len(packet) + 4) + packet)
    stream.flush()


def _write_content(stream, content: bytes) -> None:
    for start in range(0, len(content), MAX_DATA):
        stream.write(b"%04x" % (min(MAX_DATA, len(content) - start) + 4) + content[start:start + MAX_DATA])
    _write(stream, None)


def serve(arguments: list[str], stdin=None, stdout=None) -> None:
    """Answer git's requests to clean a notebook until git closes the pipe; smudge is not offered (git passes the
    file through, as the `smudge = cat` filter does)."""
    stdin, stdout = stdin or sys.stdin.buffer, stdout or sys.stdout.buffer
    if _read_list(stdin) != [b"git-filter-client\n", b"version=2\n"]:
        raise SystemExit("helpers.publish.strip --process: git did not start the filter protocol (version 2)")
    _write(stdout, b"git-filter-server\n", b"version=2\n", None)
    if b"capability=clean\n" not in _read_list(stdin):
        raise SystemExit("helpers.publish.strip --process: git does not ask for a clean filter")
    _write(stdout, b"capability=clean\n", None)
    while True:
        try:
            header = dict(line.rstrip(b"\n").split(b"=", 1) for line in _read_list(stdin))
        except EOFError:
            return
        content = b"".join(_read_list(stdin))
        if header.get(b"command") != b"clean":
            _write(stdout, b"status=error\n", None)
            continue
        try:
            result = stripped(content, arguments)
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - git reports the file as not filtered
            name = header.get(b"pathname", b"?").decode("utf-8", "replace")
            print(f"helpers.publish.strip: could not strip {name}: {exc}", file=sys.stderr)
            _write(stdout, b"status=error\n", None)
            continue
        _write(stdout, b"status=success\n", None)
        _write_content(stdout, result)
        _write(stdout, None)  # the status stays "success"


def main() -> None:
    skip_iri_grammars()
    arguments = sys.argv[1:]
    if "--process" in arguments:
        serve([a for a in arguments if a != "--process"])
        return
    from nbstripout import main as nbstripout

    nbstripout()


if __name__ == "__main__":
    main()
