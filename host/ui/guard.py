"""The token every request to `meso ui` must carry: in the URL once, then as a cookie."""

import hmac
import secrets
from http import cookies
from urllib.parse import parse_qs

COOKIE = "meso_ui_token"


def new_token():
    return secrets.token_urlsafe(24)


def _presented(scope):
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    from_url = (query.get("token") or [None])[0]
    jar = cookies.SimpleCookie()
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            try:
                jar.load(value.decode("latin-1"))
            except cookies.CookieError:
                pass
    from_cookie = jar[COOKIE].value if COOKIE in jar else None
    return from_url, from_cookie


class TokenGuard:
    """ASGI middleware: refuse (HTTP 403, websocket close 1008) whatever lacks the token,
    static files and websockets included; a valid token in the URL sets the cookie."""

    def __init__(self, app, token):
        self.app = app
        self.token = token

    def _ok(self, given):
        return given is not None and hmac.compare_digest(given.encode(), self.token.encode())

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        from_url, from_cookie = _presented(scope)
        if not (self._ok(from_url) or self._ok(from_cookie)):
            if scope["type"] == "websocket":
                await receive()  # websocket.connect
                await send({"type": "websocket.close", "code": 1008})
                return
            body = b"meso ui: this page needs the token from the URL meso ui printed\n"
            await send({"type": "http.response.start", "status": 403,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                    (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        if scope["type"] == "http" and self._ok(from_url) and not self._ok(from_cookie):
            cookie = "%s=%s; Path=/; HttpOnly; SameSite=Strict" % (COOKIE, self.token)

            async def send_with_cookie(message):
                if message["type"] == "http.response.start":
                    message = dict(message)
                    message["headers"] = list(message.get("headers", [])) + [
                        (b"set-cookie", cookie.encode())]
                await send(message)

            return await self.app(scope, receive, send_with_cookie)
        return await self.app(scope, receive, send)
