"""The HTTP API (Starlette). ``create_app()`` builds it from environment settings.

    GET  /api/ratings            all aggregates (for the build)
    GET  /api/ratings/{slug}     count, average, histogram 1..5
    POST /api/ratings/{slug}     score=1..5 as a form (303 back to the article) or JSON
    GET  /api/openapi.json       the OpenAPI document

With RATINGS_SITE_DIR set it also serves the built site (development: one port).

Speed: a GET of an article's numbers whose answer is cached (cache.py, exact
across processes) is answered by ``RatingsApp`` before the middleware stack,
on the event loop; a vote awaits the store's writer thread (group commit,
store.py) and is answered only after its transaction has committed.
"""

from __future__ import annotations

import html
import json
import logging
import math
from urllib.parse import parse_qs, urlsplit

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route, request_response

from .cache import AnswerCache, render
from .client import client_from_scope, trusted_networks
from .config import Settings
from .manifest import Manifest
from .openapi import document_for
from .privacy import ip_prefix
from .store import Limited, Store, make_store

log = logging.getLogger("ratings")
MAX_BODY = 1024
NO_STORE = {"Cache-Control": "no-store"}
NO_CACHE = {"Cache-Control": "no-cache"}
ONE_PREFIX = "/api/ratings/"


class _DuplicateKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, object]]) -> dict:
    """{"score": 9, "score": 5} is refused: which one a reader believes is not defined."""
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise _DuplicateKey
    return dict(pairs)


class BadRequest(Exception):
    def __init__(self, status: int, reason: str, headers: dict | None = None):
        super().__init__(reason)
        self.status, self.reason, self.headers = status, reason, headers or {}


def _wants_json(request: Request) -> bool:
    ctype = request.headers.get("content-type", "").lower()
    return ctype.startswith("application/json") or "application/json" in request.headers.get("accept", "")


def _wants_html(request: Request) -> bool:
    """A browser posting the form without JavaScript: it gets a small page with a way back."""
    return request.method == "POST" and "text/html" in request.headers.get("accept", "") and \
        request.headers.get("content-type", "").lower().startswith("application/x-www-form-urlencoded")


def reply_error(request: Request, status: int, reason: str, headers: dict | None = None,
                back: str | None = None) -> Response:
    headers = {**NO_STORE, **(headers or {})}
    if _wants_json(request):
        return JSONResponse({"error": reason}, status_code=status, headers=headers)
    if _wants_html(request):
        link = f'<p><a href="{html.escape(back)}">Quay lại bài viết</a></p>' if back else ""
        page = ('<!doctype html><html lang="vi"><head><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                f"<title>Chưa gửi được đánh giá</title></head><body><h1>Chưa gửi được đánh giá</h1>"
                f"<p>{html.escape(reason)}</p>{link}</body></html>\n")
        return HTMLResponse(page, status_code=status, headers=headers)
    return PlainTextResponse(reason + "\n", status_code=status, headers=headers)


class Ratings:
    """The endpoints, bound to one store, one manifest and the settings."""

    def __init__(self, settings: Settings, store: Store, manifest: Manifest):
        self.settings, self.store, self.manifest = settings, store, manifest
        self.trusted = trusted_networks(settings.trusted_proxies)
        self.cache = AnswerCache(store.totals_version)

    # ---- checks ---------------------------------------------------------------------
    @staticmethod
    def _framing_ok(request: Request) -> None:
        """RFC 9112 6.1: both framings in one request is how requests are smuggled past a proxy."""
        if "content-length" in request.headers and "transfer-encoding" in request.headers:
            # ...and the connection is closed after the answer: what follows on it cannot be trusted
            raise BadRequest(400, "Có cả Content-Length và Transfer-Encoding (both Content-Length and "
                                  "Transfer-Encoding)", {"Connection": "close"})

    def _origin_ok(self, request: Request) -> None:
        origin = request.headers.get("origin")
        fetch_site = request.headers.get("sec-fetch-site", "").lower()
        configured = self.settings.allowed_origins
        if origin is not None:
            origin = origin.strip().rstrip("/")
            if configured:
                allowed = origin in configured
            else:  # development default: the origin this request was sent to
                host = request.headers.get("host", "").lower()
                allowed = bool(host) and urlsplit(origin).netloc.lower() == host and \
                    urlsplit(origin).scheme in ("http", "https")
            if not allowed:
                raise BadRequest(403, "Chỉ nhận đánh giá gửi từ chính cổng thông tin "
                                      "(cross-origin vote refused)")
            if fetch_site == "cross-site" and origin not in configured:
                raise BadRequest(403, "Chỉ nhận đánh giá gửi từ chính cổng thông tin (cross-site vote refused)")
        elif fetch_site:
            if fetch_site != "same-origin":
                raise BadRequest(403, "Chỉ nhận đánh giá gửi từ chính cổng thông tin (cross-site vote refused)")
        elif self.settings.require_origin:
            raise BadRequest(403, "Thiếu tiêu đề Origin: chỉ nhận đánh giá từ chính cổng thông tin "
                                  "(missing Origin header)")
        # Neither header: not a browser (every current browser sends Origin with a POST), so
        # not a cross-site request forgery; the caps still apply. RATINGS_REQUIRE_ORIGIN refuses it.

    def _article(self, slug: str) -> str:
        if len(slug) > 200 or self.manifest.url_of(slug) is None:
            raise BadRequest(404, "Không có bài viết này (no such article)")
        return slug

    async def _body(self, request: Request) -> bytes:
        length = request.headers.get("content-length")
        if length is not None:
            if not (length.isascii() and length.strip().isdigit()):
                raise BadRequest(400, "Content-Length không hợp lệ (bad Content-Length)")
            if int(length) > MAX_BODY:
                raise BadRequest(413, "Nội dung gửi lên quá 1 KiB (body larger than 1 KiB)")
        body = bytearray()
        try:
            async for chunk in request.stream():
                body += chunk
                if len(body) > MAX_BODY:
                    raise BadRequest(413, "Nội dung gửi lên quá 1 KiB (body larger than 1 KiB)")
        except ClientDisconnect:
            raise BadRequest(400, "Kết nối bị ngắt khi đang gửi (client disconnected)") from None
        return bytes(body)

    @staticmethod
    def _score(value: object, from_form: bool = False) -> int:
        bad = BadRequest(400, "Điểm đánh giá phải là số nguyên từ 1 đến 5 (score must be 1 to 5)")
        if isinstance(value, bool) or (isinstance(value, str) and not from_form):
            raise bad
        if isinstance(value, float):
            if not math.isfinite(value) or not value.is_integer():
                raise bad
            value = int(value)
        if isinstance(value, str):
            text = value.strip()
            if not (text.isascii() and text.isdigit() and len(text) <= 3):
                raise bad
            value = int(text)
        if not isinstance(value, int) or not 1 <= value <= 5:
            raise bad
        return value

    def _parse(self, request: Request, body: bytes) -> tuple[int, bool]:
        """(score, is_form)."""
        ctype = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise BadRequest(400, "Nội dung không phải UTF-8 (body is not UTF-8)") from None
        if ctype == "application/x-www-form-urlencoded":
            try:
                fields = parse_qs(text, keep_blank_values=True, max_num_fields=20)
            except ValueError:
                raise BadRequest(400, "Biểu mẫu không hợp lệ (malformed form)") from None
            if "score" not in fields:
                raise BadRequest(400, "Chưa chọn điểm đánh giá (score is missing)")
            if len(fields) > 1 or len(fields["score"]) > 1:
                raise BadRequest(400, "Biểu mẫu chỉ có một trường score (only one field: score)")
            return self._score(fields["score"][-1], from_form=True), True
        if ctype == "application/json":
            try:
                data = json.loads(text, object_pairs_hook=_unique_keys)
            except _DuplicateKey:
                raise BadRequest(400, "JSON có trường lặp lại (duplicate key in JSON)") from None
            except (ValueError, RecursionError):
                raise BadRequest(400, "JSON không hợp lệ (malformed JSON)") from None
            if not isinstance(data, dict):
                raise BadRequest(400, "JSON phải là một đối tượng {\"score\": 1..5} (JSON must be an object)")
            if "score" not in data:
                raise BadRequest(400, "Chưa chọn điểm đánh giá (score is missing)")
            if len(data) > 1:
                raise BadRequest(400, "JSON chỉ có một trường score (only one field: score)")
            return self._score(data["score"]), False
        raise BadRequest(415, "Chỉ nhận biểu mẫu hoặc JSON (send a form or JSON)")

    # ---- endpoints --------------------------------------------------------------------
    async def list_all(self, request: Request) -> Response:
        ratings = await run_in_threadpool(self.store.all)
        return JSONResponse({"ratings": ratings}, headers={"Cache-Control": "no-cache"})

    async def one(self, request: Request) -> Response:
        try:
            if request.method == "POST":
                self._framing_ok(request)
                self._origin_ok(request)
            slug = self._article(request.path_params["slug"])
        except BadRequest as bad:
            return reply_error(request, bad.status, bad.reason, bad.headers)
        if request.method == "POST":
            return await self.rate(request, slug)
        answer, token = self.cache.lookup(slug)
        if answer is None:
            answer = render(await run_in_threadpool(self.store.get, slug))
            self.cache.keep(slug, token, answer)
        return Response(answer, media_type="application/json", headers=NO_CACHE)

    def cached_answer(self, scope) -> bytes | None:
        """GET /api/ratings/{slug} of an article whose answer is cached, else None (the full path).

        Runs on the event loop before any middleware: no worker thread, no Request object.
        A request carrying Origin goes the full path when CORS is on (it needs CORS headers)."""
        path = scope["path"]
        if not path.startswith(ONE_PREFIX):
            return None
        slug = path[len(ONE_PREFIX):]
        if not slug or "/" in slug or len(slug) > 200 or self.manifest.url_of(slug) is None:
            return None
        if self.settings.allowed_origins and any(k == b"origin" for k, _ in scope["headers"]):
            return None
        return self.cache.lookup(slug)[0]

    def _back(self, slug: str) -> str | None:
        try:
            return self.manifest.thanks_url(slug).split("#", 1)[0] + "#danh-gia"
        except KeyError:
            return None

    async def rate(self, request: Request, slug: str) -> Response:
        try:
            body = await self._body(request)
            score, is_form = self._parse(request, body)
            prefix = ip_prefix(client_from_scope(request.scope, self.trusted))
            user_agent = request.headers.get("user-agent", "")
            result = await self.store.vote_async(slug, score, prefix, user_agent)
        except BadRequest as bad:
            return reply_error(request, bad.status, bad.reason, bad.headers, back=self._back(slug))
        except Limited as limited:
            return reply_error(request, 429, limited.reason, {"Retry-After": str(limited.retry_after)},
                               back=self._back(slug))
        except self.store.busy_errors as exc:
            log.error("ratings: database busy or unavailable: %s", exc)
            return reply_error(request, 503, "Hệ thống đang bận, vui lòng thử lại (database busy)",
                               {"Retry-After": "2"}, back=self._back(slug))
        if is_form:
            return RedirectResponse(self.manifest.thanks_url(slug), status_code=303, headers=NO_STORE)
        return JSONResponse({**result.aggregate, "score": score, "replaced": result.replaced}, headers=NO_STORE)

    async def openapi(self, request: Request) -> Response:
        return JSONResponse(document_for(sorted(self.manifest.current().urls)))


async def _http_error(request: Request, exc: HTTPException) -> Response:
    reasons = {404: "Không tìm thấy (not found)", 405: "Phương thức không được hỗ trợ (method not allowed)"}
    reason = reasons.get(exc.status_code, str(exc.detail).splitlines()[0] if exc.detail else "Lỗi yêu cầu")
    return reply_error(request, exc.status_code, reason, getattr(exc, "headers", None))


class only:
    """An endpoint that answers every other method itself (405 + Allow), so that a
    site mounted behind the API never answers for an API path."""

    def __init__(self, endpoint, *methods: str):
        self.methods, self.allow = methods, ", ".join(methods)
        self.app = request_response(self.guarded)
        self.endpoint = endpoint

    async def guarded(self, request: Request) -> Response:
        if request.method not in self.methods:
            return reply_error(request, 405, "Phương thức không được hỗ trợ (method not allowed)",
                               {"Allow": self.allow})
        return await self.endpoint(request)

    async def __call__(self, scope, receive, send) -> None:
        await self.app(scope, receive, send)


class RatingsApp(Starlette):
    """Starlette, with the commonest request answered before the middleware stack: a GET of an
    article's numbers whose answer is cached (the same bytes and headers as the full path)."""

    ratings: Ratings | None = None

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and self.ratings is not None:
            answer = self.ratings.cached_answer(scope)
            if answer is not None:
                await send({"type": "http.response.start", "status": 200,
                            "headers": [(b"cache-control", b"no-cache"), (b"content-length", b"%d" % len(answer)),
                                        (b"content-type", b"application/json")]})
                await send({"type": "http.response.body", "body": answer})
                return
        await super().__call__(scope, receive, send)


def create_app(settings: Settings | None = None, store: Store | None = None, clock=None) -> Starlette:
    settings = settings or Settings.from_env()
    if store is None:
        store = make_store(settings, clock=clock) if clock else make_store(settings)
    manifest = Manifest(settings.manifest_path)
    api = Ratings(settings, store, manifest)
    store.key()  # a secret file that cannot be used stops the start (ConfigError), not the first vote
    # Every method reaches these routes (not the site mounted behind them): others get 405 + Allow.
    routes = [
        Route("/api/openapi.json", only(api.openapi, "GET", "HEAD"), methods=None),
        Route("/api/ratings", only(api.list_all, "GET", "HEAD"), methods=None),
        Route("/api/ratings/{slug}", only(api.one, "GET", "HEAD", "POST"), methods=None),
    ]
    middleware = []
    if settings.allowed_origins:
        middleware.append(Middleware(CORSMiddleware, allow_origins=list(settings.allowed_origins),
                                     allow_methods=["GET", "POST"], allow_headers=["Content-Type"], max_age=600))
    if settings.site_dir:
        from .site import LiveSite, SecurityHeaders

        routes.append(Mount("/", app=LiveSite(settings.site_dir, manifest, store)))
        middleware.append(Middleware(SecurityHeaders, csp=settings.site_csp))
    app = RatingsApp(routes=routes, middleware=middleware, exception_handlers={HTTPException: _http_error})
    app.ratings = api
    app.state.store, app.state.manifest, app.state.settings = store, manifest, settings
    return app
