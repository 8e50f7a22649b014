"""A small Bot API server on 127.0.0.1 that python-telegram-bot talks to over real HTTP.

It implements the handful of methods lichct uses, records every call, queues updates
for ``getUpdates`` (long poll), and can answer with a 429 or a 403 on demand. Tests wait
on conditions with a deadline (``wait_for``), never on fixed sleeps.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

TOKEN = "123456:TEST-token_for-lichct"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Lịch công tác", "username": "lichct_bot"}
# The Bot API's "date" fields; any fixed instant will do (2024-05-21 00:59 UTC).
EPOCH = 1716253140

_BLOCKED = {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
_NO_CHAT = {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    # When the request arrived (``time.monotonic()``), to check a client's pacing.
    at: float = 0.0


@dataclass
class FakeBotApi:
    """State of the fake server; ``url`` is what LICHCT_TELEGRAM_API_URL should be."""

    url: str = ""
    calls: list[Call] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)
    unknown: set[int] = field(default_factory=set)
    # method -> answers (status, body) to give before behaving normally again
    planned: dict[str, list[tuple[int, dict[str, Any]]]] = field(default_factory=dict)
    messages: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    updates: list[dict[str, Any]] = field(default_factory=list)
    closing: bool = False
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _changed: asyncio.Condition | None = None

    # ----------------------------------------------------------------- test side

    @property
    def changed(self) -> asyncio.Condition:
        if self._changed is None:
            self._changed = asyncio.Condition()
        return self._changed

    async def notify(self) -> None:
        async with self.changed:
            self.changed.notify_all()

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def times_of(self, method: str) -> list[float]:
        """Arrival instants (monotonic seconds) of every call to ``method``, oldest first."""
        return [c.at for c in self.calls if c.method == method]

    def sent_to(self, chat_id: int) -> list[dict[str, Any]]:
        """Parameters of every message the bot sent to ``chat_id``, oldest first."""
        return [
            c.params
            for c in self.calls
            if c.method == "sendMessage" and int(c.params["chat_id"]) == chat_id
        ]

    def fail_next(self, method: str, status: int, body: dict[str, Any]) -> None:
        self.planned.setdefault(method, []).append((status, body))

    def fail_next_with_429(self, method: str, retry_after: int) -> None:
        self.fail_next(
            method,
            429,
            {
                "ok": False,
                "error_code": 429,
                "description": f"Too Many Requests: retry after {retry_after}",
                "parameters": {"retry_after": retry_after},
            },
        )

    async def wait_for(
        self, predicate: Callable[[], Any], within: float = 10.0, what: str = "condition"
    ) -> Any:
        """Wait until ``predicate()`` is truthy (re-checked on every call), or fail."""
        deadline = time.monotonic() + within
        async with self.changed:
            while True:
                value = predicate()
                if value:
                    return value
                left = deadline - time.monotonic()
                if left <= 0:
                    methods = [c.method for c in self.calls]
                    raise AssertionError(f"timed out waiting for {what}; calls: {methods}")
                try:
                    await asyncio.wait_for(self.changed.wait(), left)
                except TimeoutError:
                    continue

    async def wait_for_reply(self, chat_id: int, after: int, within: float = 10.0) -> str:
        """The text of the next message sent to ``chat_id`` beyond the first ``after`` ones."""
        sent = await self.wait_for(
            lambda: len(self.sent_to(chat_id)) > after and self.sent_to(chat_id),
            within,
            f"a reply to {chat_id}",
        )
        return str(sent[after]["text"])

    async def say(
        self,
        chat_id: int,
        text: str,
        *,
        chat_type: str = "private",
        user_id: int | None = None,
        first_name: str = "Cán bộ",
    ) -> None:
        """Queue a message written by a user in ``chat_id``."""
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = first_name
        else:
            chat["title"] = "Nhóm đơn vị"
        message: dict[str, Any] = {
            "message_id": next(self._ids),
            "date": EPOCH,
            "chat": chat,
            "from": {"id": user_id or chat_id, "is_bot": False, "first_name": first_name},
            "text": text,
        }
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        self.updates.append({"update_id": next(self._ids), "message": message})
        await self.notify()

    async def ask(self, chat_id: int, text: str, **kwargs: Any) -> str:
        """Send ``text`` as a user of ``chat_id`` and return the bot's reply."""
        before = len(self.sent_to(chat_id))
        await self.say(chat_id, text, **kwargs)
        return await self.wait_for_reply(chat_id, before)

    async def press(
        self, chat_id: int, message_id: int, data: str, *, user_id: int | None = None
    ) -> str:
        """Press an inline button under a message the bot sent; returns the callback id."""
        callback_id = f"cb{next(self._ids)}"
        self.updates.append(
            {
                "update_id": next(self._ids),
                "callback_query": {
                    "id": callback_id,
                    "from": {"id": user_id or chat_id, "is_bot": False, "first_name": "Cán bộ"},
                    "chat_instance": str(chat_id),
                    "message": self.messages[(chat_id, message_id)],
                    "data": data,
                },
            }
        )
        await self.notify()
        return callback_id

    # ----------------------------------------------------------------- server side

    def _send(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        message: dict[str, Any] = {
            "message_id": next(self._ids),
            "date": EPOCH,
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            "from": BOT_USER,
            "text": params.get("text", ""),
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        self.messages[(chat_id, message["message_id"])] = message
        return message

    def _edit(self, params: dict[str, Any]) -> Any:
        key = (int(params["chat_id"]), int(params["message_id"]))
        if key not in self.messages:
            return 400, {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: message to edit not found",
            }
        message = dict(self.messages[key])
        if "text" in params:
            message["text"] = params["text"]
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        else:
            message.pop("reply_markup", None)
        self.messages[key] = message
        return message

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        async with self.changed:
            while True:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
                left = deadline - time.monotonic()
                if self.updates or self.closing or left <= 0:
                    return list(self.updates)
                try:
                    await asyncio.wait_for(self.changed.wait(), left)
                except TimeoutError:
                    continue

    async def handle(self, request: Request) -> JSONResponse:
        method = request.path_params["method"]
        arrived = time.monotonic()
        if request.path_params["token"] != TOKEN:
            return JSONResponse(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status_code=401
            )
        params: dict[str, Any] = {}
        # PTB posts url-encoded forms (no files here); nested objects arrive as JSON text.
        body = (await request.body()).decode("utf-8")
        for key, text in parse_qsl(body, keep_blank_values=True):
            try:
                params[key] = json.loads(text) if text[:1] in "[{" else text
            except json.JSONDecodeError:
                params[key] = text
        self.calls.append(Call(method, params, arrived))
        await self.notify()
        planned = self.planned.get(method)
        if planned:
            status, body = planned.pop(0)
            return JSONResponse(body, status_code=status)
        result = await self._result(method, params)
        if isinstance(result, tuple):
            return JSONResponse(result[1], status_code=result[0])
        return JSONResponse({"ok": True, "result": result})

    async def _result(self, method: str, params: dict[str, Any]) -> Any:
        chat_id = int(params["chat_id"]) if "chat_id" in params else None
        if chat_id is not None and chat_id in self.blocked:
            return 403, _BLOCKED
        if chat_id is not None and chat_id in self.unknown:
            return 400, _NO_CHAT
        if method == "getMe":
            return BOT_USER
        if method == "getUpdates":
            return await self._get_updates(params)
        if method == "sendMessage":
            return self._send(params)
        if method in ("editMessageText", "editMessageReplyMarkup"):
            return self._edit(params)
        if method in (
            "answerCallbackQuery",
            "deleteWebhook",
            "setWebhook",
            "setMyCommands",
            "close",
            "logOut",
        ):
            return True
        return 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}


@asynccontextmanager
async def running_botapi() -> AsyncIterator[FakeBotApi]:
    """Serve a :class:`FakeBotApi` on a free loopback port for the duration of the block."""
    api = FakeBotApi()
    app = Starlette(routes=[Route("/bot{token}/{method}", api.handle, methods=["GET", "POST"])])
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", lifespan="off", timeout_graceful_shutdown=2)
    )
    task = asyncio.create_task(server.serve(sockets=[sock]))
    deadline = time.monotonic() + 10
    while not server.started:  # a condition with a deadline, not a fixed sleep
        if task.done() or time.monotonic() > deadline:
            raise RuntimeError("the fake Bot API server did not start")
        await asyncio.sleep(0.01)
    api.url = f"http://127.0.0.1:{port}/bot"
    try:
        yield api
    finally:
        api.closing = True
        await api.notify()
        server.should_exit = True
        await task
        sock.close()


async def _serve_as_process() -> None:
    """Serve until standard input closes; print the URL first, then the sendMessage arrivals.

    For benchmarks: in its own process the stand-in does not share the client's event loop,
    so its arrival times are the ones a real server would see.
    """
    import sys

    async with running_botapi() as api:
        print(api.url, flush=True)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, sys.stdin.read)
        arrivals = [[c.at, int(c.params["chat_id"])] for c in api.calls_to("sendMessage")]
    print(json.dumps(arrivals), flush=True)


if __name__ == "__main__":
    asyncio.run(_serve_as_process())
