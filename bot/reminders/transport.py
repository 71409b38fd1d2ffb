"""The outbox's HTTP transport: python-telegram-bot's `BaseRequest` over an aiohttp session.

PTB's own transport (httpx → httpcore) checks every pooled connection at each request: at
hundreds of messages a second most of the sender's CPU went there (measured at 1,000/s:
~10 of 15 s of the sender's CPU in httpcore's pool). aiohttp keeps its connections in a
plain pool. PTB still builds the requests and turns Telegram's errors into its exceptions
(`RetryAfter`, `Forbidden`, `BadRequest`), which the sender handles as before.
"""

from __future__ import annotations

import asyncio

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


class AiohttpRequest(BaseRequest):
    """At most `connections` connections to the Bot API; `timeout` seconds a call."""

    def __init__(self, *, connections: int, timeout: float = 10.0) -> None:
        self._connections = connections
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._connections, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(connector=connector)

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None:
            await self.initialize()
        assert self._session is not None
        seconds = self._timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        data: aiohttp.FormData | dict[str, str] | None = None
        if request_data is not None:
            if request_data.contains_files:
                data = aiohttp.FormData()
                for name, part in request_data.multipart_data.items():
                    if isinstance(part, tuple):
                        data.add_field(name, part[1], filename=part[0], content_type=part[2])
                    else:
                        data.add_field(name, part)
            else:
                data = request_data.json_parameters
        try:
            async with self._session.request(
                method,
                url,
                data=data,
                headers={"User-Agent": self.USER_AGENT},
                timeout=aiohttp.ClientTimeout(total=seconds),
            ) as response:
                return response.status, await response.read()
        except TimeoutError as err:
            raise TimedOut from err
        except (aiohttp.ClientError, asyncio.CancelledError) as err:
            if isinstance(err, asyncio.CancelledError):
                raise
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err
