"""Answers of the explorer's pure callbacks, remembered by request: a repeated click is answered without
running Dash's dispatch again (parse, callback, validate, JSON-encode: most of a cached click's server CPU).

A callback is *pure* when its answer depends only on the request body (inputs, state, which input changed),
the data version and the browser's language, never on the host, the time or a cookie. Such callbacks are
marked with :func:`pure` where they are defined; the key is exactly those three things, so an import (new
data version) or another language simply misses. Everything else (exports, downloads, dialogs that print
links) always runs.

Bounded in entries and bytes, least recently used dropped first. Per process: each gunicorn worker keeps its
own (a click's requests go to whichever worker is free, so both fill up within a few clicks).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from dash import Dash
from flask import Response, g, request

from dashboard import i18n

CALLBACK_PATH = "/_dash-update-component"
MARK = "_mtm_pure_callback"
MAX_ENTRIES = 1024
MAX_BYTES = 48 * 1024 * 1024

F = TypeVar("F", bound=Callable)


def pure(func: F) -> F:
    """Mark a callback whose answer depends only on its request body, the data and the language."""
    setattr(func, MARK, True)
    return func


@dataclass(frozen=True)
class Answer:
    status: int
    mimetype: str | None
    body: bytes


class ResponseCache:
    """A thread-safe LRU of answers, bounded by count and by bytes."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES):
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._items: OrderedDict[tuple, Answer] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: tuple) -> Answer | None:
        with self._lock:
            answer = self._items.get(key)
            if answer is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return answer

    def put(self, key: tuple, answer: Answer) -> None:
        if len(answer.body) > self.max_bytes // 8:  # one huge answer must not flush everything else
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._items[key] = answer
            self._bytes += len(answer.body)
            while self._items and (len(self._items) > self.max_entries or self._bytes > self.max_bytes):
                _, dropped = self._items.popitem(last=False)
                self._bytes -= len(dropped.body)

    def __len__(self) -> int:
        return len(self._items)


def pure_outputs(app: Dash) -> frozenset[str]:
    """The output strings (Dash's callback ids) of the callbacks marked pure."""
    return frozenset(
        output for output, spec in app.callback_map.items() if getattr(spec.get("callback"), MARK, False)
    )


def _output_of(body: bytes) -> str | None:
    try:
        output = json.loads(body).get("output")
    except (ValueError, AttributeError):
        return None
    return output if isinstance(output, str) else None


def init_app(app: Dash, version: Callable[[], str], cache: ResponseCache | None = None) -> ResponseCache:
    """Answer repeated requests of pure callbacks from memory. Register after every callback and after the
    security guard (its before_request runs first: access control and request checks still apply)."""
    outputs = pure_outputs(app)
    cache = cache or ResponseCache()
    server = app.server

    def key() -> tuple | None:
        if request.method != "POST" or not request.path.endswith(CALLBACK_PATH):
            return None
        try:
            data_version = version()
        except Exception:  # no data to answer from: let the request run and say so itself
            return None
        body = request.get_data(cache=True)
        return (data_version, i18n.request_language(), hashlib.blake2b(body, digest_size=20).digest())

    @server.before_request
    def _answer_from_memory():
        k = key()
        if k is None:
            return None
        g.mtm_answer_key = k
        answer = cache.get(k)
        if answer is None:
            return None
        g.mtm_answered = True
        return Response(answer.body, status=answer.status, mimetype=answer.mimetype)

    @server.after_request
    def _remember(response: Response) -> Response:
        # runs before compression (flask-compress registered its hook first, so it runs last)
        k = getattr(g, "mtm_answer_key", None)
        if k is None or getattr(g, "mtm_answered", False) or response.status_code not in (200, 204):
            return response
        if response.direct_passthrough or response.headers.get("Content-Encoding"):
            return response
        if _output_of(request.get_data(cache=True)) in outputs:
            cache.put(k, Answer(response.status_code, response.mimetype, response.get_data()))
        return response

    server.extensions["mtm_response_cache"] = cache
    return cache
