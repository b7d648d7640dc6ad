"""waitress, as `shuangyu serve` runs it in one process, refusing a request whose length is
ambiguous as gunicorn does.

A request with both Content-Length and Transfer-Encoding: chunked is read by waitress as chunked
(RFC 9112 lets it), but waitress keeps the connection open, where RFC 9112 says it must be closed:
behind a proxy that went by Content-Length, the bytes after the last chunk are answered as a
second request that the proxy never saw (request smuggling). waitress drops Transfer-Encoding
before the application sees the request, so only its parser can tell.
"""

from __future__ import annotations

import waitress
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser, ParsingError
from waitress.server import BaseWSGIServer


class OneLengthRequestParser(HTTPRequestParser):
    """waitress's request parser, refusing with 400, and the connection closed after it, a
    request that says its length two ways (Content-Length and Transfer-Encoding), or a
    Transfer-Encoding under HTTP/1.0, which waitress ignores and a proxy may not."""

    def parse_header(self, header_plus: bytes) -> None:
        super().parse_header(header_plus)
        # waitress has taken Transfer-Encoding out of an HTTP/1.1 request, and made it chunked.
        if self.chunked and "CONTENT_LENGTH" in self.headers:
            raise ParsingError(
                "Content-Length and Transfer-Encoding together: the length of the request is ambiguous"
            )
        if "TRANSFER_ENCODING" in self.headers:
            raise ParsingError("Transfer-Encoding in an HTTP/1.0 request")


class OneLengthChannel(HTTPChannel):
    """waitress's connection, its requests read by ``OneLengthRequestParser`` (an error that the
    parser finds is answered and the connection closed, the requests behind it unanswered)."""

    parser_class = OneLengthRequestParser


def create_server(application, **adjustments):
    """``waitress.create_server(application, **adjustments)``, each of its listening servers
    reading connections as ``OneLengthChannel``."""
    dispatchers: dict = {}
    server = waitress.create_server(application, map=dispatchers, **adjustments)
    for dispatcher in dispatchers.values():
        if isinstance(dispatcher, BaseWSGIServer):
            dispatcher.channel_class = OneLengthChannel
    return server
