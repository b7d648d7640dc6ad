"""Where a request ends in the bytes a connection has received, found as they arrive (as gunicorn's
parser frames it), so that the worker's loop (``web.polling_worker``) hands a thread whole requests
only; and the cap on a request's head."""

from __future__ import annotations

# The largest request head (request line and header fields) a worker receives, waitress's own
# limit: the app answers every URL up to its MAX_URL_BYTES (128 KiB; the longest valid request,
# an export of 100 passages of the longest report ids, is up to 98 KB), and its 414 past it. A
# larger head is answered here, unread: 414 when its request line alone is larger, else 431.
MAX_HEAD_BYTES = 256 * 1024


class HeadTooLarge(Exception):
    """A request head past MAX_HEAD_BYTES: the answer's status and reason say which part."""

    def __init__(self, status: int, reason: str, detail: str):
        super().__init__(detail)
        self.status, self.reason, self.detail = status, reason, detail


class RequestFraming:
    """Where the request at the start of a connection's received bytes ends, found as they
    arrive, as gunicorn's parser frames it: the head up to its empty line, then Content-Length
    bytes of body, or a chunked body up to its last chunk and trailers. A head it cannot frame
    (malformed, or with a body past ``body_limit``) is the parser's to answer at once: the
    parser reads nothing but what was received, so a misjudged request is closed, never waited
    for."""

    def __init__(self, body_limit: int):
        self.body_limit = body_limit
        self.searched = 0  # where the search for the head's end resumes
        self.body_start: int | None = None
        self.end: int | None = None  # past the whole request, once the head says where
        self.next_chunk: int | None = None  # the next chunk-size line of a chunked body
        self.chunked_bytes = 0
        self.expects_continue = False

    def length(self, data: bytearray) -> int | None:
        """How many bytes of ``data`` to give the parser now: the request, or all of ``data``
        when the parser must answer at once; None while more must arrive. Raises HeadTooLarge."""
        if self.body_start is None:
            end = data.find(b"\r\n\r\n", self.searched)
            bare_end = data.find(b"\n\n", self.searched)
            if bare_end >= 0 and (end < 0 or bare_end < end):
                return len(data)  # lines ended by a bare LF, which the parser refuses
            if end < 0 and len(data) <= MAX_HEAD_BYTES:
                self.searched = max(len(data) - 3, 0)
                return None
            if end < 0 or end + 4 > MAX_HEAD_BYTES:
                if data.find(b"\r\n", 2, MAX_HEAD_BYTES) < 0:
                    raise HeadTooLarge(
                        414,
                        "URI Too Long",
                        f"The request line is longer than {MAX_HEAD_BYTES:,} bytes.",
                    )
                raise HeadTooLarge(
                    431,
                    "Request Header Fields Too Large",
                    f"The request head is larger than {MAX_HEAD_BYTES:,} bytes.",
                )
            self.body_start = end + 4
            if not self._frame(bytes(data[:end])):
                return len(data)
        if self.end is None:  # a chunked body, whose end is known once its last chunk is in
            self.end = self._chunked_end(data)
        if self.end is not None:
            return self.end if len(data) >= self.end else None
        # Chunk-size lines and trailers count too, so that no body is received without bound.
        return len(data) if len(data) > self.body_start + self.body_limit + MAX_HEAD_BYTES else None

    def _frame(self, head: bytes) -> bool:
        """Take the body's framing from ``head``; False when the parser is to judge it now."""
        lines = head.removeprefix(b"\r\n").split(b"\r\n")  # the parser allows one empty line first
        http_1_1 = lines[0].endswith(b" HTTP/1.1")
        fields: dict[bytes, list[bytes]] = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            fields.setdefault(name.lower(), []).append(value.strip(b" \t"))
        lengths, codings = (
            fields.get(b"content-length", []),
            [
                coding.strip(b" \t").lower()
                for value in fields.get(b"transfer-encoding", [])
                for coding in value.split(b",")
            ],
        )
        if codings:
            if (
                lengths
                or not http_1_1
                or codings[-1] != b"chunked"
                or codings.count(b"chunked") > 1
            ):
                return False
            self.next_chunk = self.body_start
        elif not lengths:
            self.end = self.body_start
            return True
        elif len(lengths) > 1 or not lengths[0].isdigit() or int(lengths[0]) > self.body_limit:
            return False  # refused by the parser, or by the app's 413 before the body comes
        else:
            self.end = self.body_start + int(lengths[0])
        self.expects_continue = http_1_1 and [
            value.lower() for value in fields.get(b"expect", [])
        ] == [b"100-continue"]
        return True

    def _chunked_end(self, data: bytearray) -> int | None:
        """Past the last chunk and trailers of a chunked body, once received; past ``data``
        when a chunk-size line is malformed or the body is past the limit (the parser's to
        refuse); None while more must arrive."""
        while True:
            line_end = data.find(b"\r\n", self.next_chunk)
            if line_end < 0:
                return None
            digits = bytes(data[self.next_chunk : line_end]).partition(b";")[0].rstrip(b" \t")
            if not digits or digits.strip(b"0123456789abcdefABCDEF"):
                return len(data)
            size = int(digits, 16)
            if size == 0:
                trailers_end = data.find(b"\r\n\r\n", line_end)
                return trailers_end + 4 if trailers_end >= 0 else None
            self.chunked_bytes += size
            if self.chunked_bytes > self.body_limit:
                return len(data)
            self.next_chunk = line_end + 2 + size + 2
