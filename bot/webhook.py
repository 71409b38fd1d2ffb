"""The webhook `dondoc run` serves when `[telegram] webhook_url` is set, on aiohttp (the web
framework of the practice room and its Bot API server too; PTB's own webhook server would
bring tornado as a second one).

PTB's "custom webhook bot" pattern: the Application has no Updater; Telegram POSTs each
update to the URL's path with the secret in a header, the update goes into
`application.update_queue` and Telegram gets its 200 at once (the handlers run after).
"""

from __future__ import annotations

import hmac
import logging

import orjson
from aiohttp import web
from telegram import Update

from bot.app import DondocApplication

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# An update is a few kB (a message's text is at most 4096 characters): a bigger body is no
# update, and aiohttp answers it 413 without reading it all.
MAX_BODY = 1024 * 1024


def webhook_app(application: DondocApplication, *, path: str, secret: str) -> web.Application:
    """POST /<path> with the secret: the update is queued for the bot. A wrong or missing
    secret gets 403, a body that is no update 400; another method 405, another path 404."""
    expected = secret.encode()

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(given, expected):  # constant time: no guessing by timing
            return web.Response(status=403)
        body = await request.read()  # over MAX_BODY: 413 (aiohttp raises it)
        try:
            data = orjson.loads(body)
            if not isinstance(data, dict):
                raise TypeError(f"a JSON {type(data).__name__}, not an object")
            update = Update.de_json(data, application.bot)
        except Exception as exc:  # what PTB's own server does: any unreadable update is a 400
            log.warning("webhook: not an update (%s: %s)", type(exc).__name__, exc)
            return web.Response(status=400)
        await application.update_queue.put(update)
        return web.Response()

    app = web.Application(client_max_size=MAX_BODY)
    app.router.add_post("/" + path.strip("/"), receive)
    return app
