"""The API token never reaches the server log.

A browser's first page and Socket.IO clients may send the token as `?token=...`, and uvicorn
writes request paths with their query into its access log (and websocket paths into its
error log, even without `--access-log`). This filter masks the value in those records.
"""

from __future__ import annotations

import logging
import re

_TOKEN_IN_QUERY = re.compile(r"([?&]token=)[^&\s\"]*", re.IGNORECASE)
SERVER_LOGGERS = ("uvicorn.access", "uvicorn.error")


def redact(text: str) -> str:
    return _TOKEN_IN_QUERY.sub(r"\1***", text)


class TokenRedaction(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        return True


_FILTER = TokenRedaction()


def redact_tokens_in_server_logs() -> None:
    """Mask tokens in uvicorn's logs (once per process: adding the same filter again is a no-op)."""
    for name in SERVER_LOGGERS:
        logging.getLogger(name).addFilter(_FILTER)
