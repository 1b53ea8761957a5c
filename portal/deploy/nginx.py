"""portal.conf: the nginx configuration of the portal, written from the settings and the options.

One file, included inside ``http { }`` (Debian's nginx.conf includes /etc/nginx/sites-enabled/*
and /etc/nginx/conf.d/* there), so it holds, in order:

1. what belongs to the http context: the rate-limit zone of /api/, the Cache-Control map and the
   upstream of the ratings service;
2. in production, a server on port 80 that answers certbot's challenge and sends everything else
   to HTTPS;
3. the server of the site: the release ``current`` points at, the headers of every response,
   media types, ``gzip_static``, the 404 page, and /api/ proxied to the ratings service.

Headers are set once, at server level, and no location sets its own (nginx drops the server's
add_header lines in a location that has any): per-path values come from maps.
"""

from __future__ import annotations

from ratings.manifest import THANKS_ANCHOR

from .options import Plan
from .policy import CHARSET_TYPES, REVALIDATE, cache_rules, media_types, security_headers

# The ratings service answers a vote posted without JavaScript with a 303 to the article's thank-you
# anchor; nginx adds this query to that address, and a page asked for with it is served by the service,
# with the count and average as they are now (ratings/site.py). Every other page view is the static file.
AFTER_VOTE = "da-danh-gia"
ZONE = "portal_api"
UPSTREAM = "portal_ratings"
DOWN = ("Dịch vụ đánh giá đang tạm ngừng; bài viết vẫn đọc được bình thường. Vui lòng gửi đánh giá sau. "
        "(ratings service unavailable)")
FAIL_TIMEOUT = "5s"  # with several instances: how long one that failed is left out
LIMITED = "Quá nhiều yêu cầu. Vui lòng thử lại sau ít phút. (too many requests)"


def _q(text: str) -> str:
    """A double-quoted nginx string (regular expressions with { } or ; must be quoted)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _body(text: str) -> str:
    """A one-line answer nginx writes itself: quoted, ending in a newline (\\n in nginx's quotes)."""
    return _q(text)[:-1] + '\\n"'


def _regex(text: str) -> str:
    """A quoted regular expression: backslashes stay as written (nginx keeps \\. as \\.)."""
    return '"' + text + '"'


def http_context(plan: Plan) -> list[str]:
    opts = plan.options
    lines = [
        "# ---- http context: this file is included inside http { }, so these are defined once, here -----",
        "# Requests to the ratings service per client address (votes are rare; this stops a flood, the",
        "# service's own caps per network stop ballot stuffing).",
        f"limit_req_zone $binary_remote_addr zone={ZONE}:10m rate={opts.api_rate};",
        "",
        "# Cache-Control by path, first match: fingerprinted theme files and Pagefind's hashed index",
        "# files never change (a change is a new name); pictures keep a day; everything else (pages,",
        "# feeds, CAP, CSAF, calendars) is revalidated on every use (a cheap 304), so a publish is seen",
        "# at once. /api/: the ratings service sets its own.",
        "map $uri $portal_cache_control {",
        f"    default {_q(REVALIDATE)};",
        f"    {_regex('~^/api/')} \"\";",
    ]
    lines += [f"    {_regex('~' + pattern)} {_q(value)};" for pattern, value in cache_rules(plan.paths)]
    lines += ["}", "", *upstream(plan)]
    return lines


def upstream(plan: Plan) -> list[str]:
    """The ratings service: one server, or one per instance (portal-ratings@PORT.service).

    With several, an instance that refuses a connection or does not answer in time (proxy_next_upstream
    error timeout) is left out for FAIL_TIMEOUT and the request goes to the next one; a request already
    sent is never sent again when it is a POST (nginx's default, kept: a vote is never stored twice)."""
    if not plan.instances:
        return [
            f"upstream {UPSTREAM} {{",
            f"    server 127.0.0.1:{plan.ratings_ports[0]};  # portal-ratings.service (RATINGS_PORT)",
            "    keepalive 8;",
            "}",
            "",
        ]
    return [
        "# One server per instance of the ratings service. An instance that fails once (refused, or no answer",
        f"# within the timeouts below) gets no request for {FAIL_TIMEOUT}, then is tried again (systemd restarts a",
        "# crashed instance within 2 s). A request it could not take goes to the next instance; a vote (POST)",
        "# already sent to an instance is never sent again, so no vote is stored twice.",
        f"upstream {UPSTREAM} {{",
        *[f"    server 127.0.0.1:{port} max_fails=1 fail_timeout={FAIL_TIMEOUT};  # portal-ratings@{port}.service"
          for port in plan.ratings_ports],
        f"    keepalive {8 * len(plan.ratings_ports)};",
        "}",
        "",
    ]


def redirect_server(plan: Plan) -> list[str]:
    return [
        "# ---- port 80: certbot's challenge, and everything else to HTTPS -------------------------------",
        "server {",
        "    listen 80;",
        "    listen [::]:80;",
        f"    server_name {plan.server_name};",
        "    server_tokens off;",
        f"    location ^~ /.well-known/acme-challenge/ {{ root {plan.options.acme_webroot}; }}",
        f"    location / {{ return 301 https://{plan.server_name}$request_uri; }}",
        "}",
        "",
    ]


def _listen(plan: Plan) -> list[str]:
    if not plan.production:
        return [f"    listen {plan.listen_host}:{plan.listen_port};  # plain HTTP: a test or staging machine"]
    return [
        "    listen 443 ssl http2;",
        "    listen [::]:443 ssl http2;",
        f"    ssl_certificate {plan.tls_cert};",
        f"    ssl_certificate_key {plan.tls_key};",
        "    ssl_protocols TLSv1.2 TLSv1.3;",
        "    ssl_session_timeout 1d;",
        "    ssl_session_cache shared:portal_tls:10m;",
        "    ssl_session_tickets off;",
    ]


def _common(plan: Plan) -> list[str]:
    headers = [f"    add_header {name} {_q(value)} always;" for name, value in security_headers(plan.ratings_url)]
    return [
        f"    server_name {plan.server_name};",
        "    server_tokens off;",
        "",
        "    # The symlink, never a release folder: portal publish swaps it with one rename(2). nginx",
        "    # resolves it on every open(): keep file-descriptor caching off so a swap is seen at once.",
        f"    root {plan.root};",
        "    index index.html;",
        "    disable_symlinks off;",
        "    open_file_cache off;",
        "    error_page 404 /404.html;",
        "",
        "    charset utf-8;",
        f"    charset_types {' '.join(CHARSET_TYPES)};",
        "    # the build writes <file>.gz beside feeds, CAP, CSAF, calendars, styles and scripts (same bytes",
        "    # every build): sent as they are; pages (text/html, gzip_types' default) compressed as sent",
        "    gzip_static on;",
        "    gzip on;",
        "    gzip_comp_level 6;",
        "    gzip_vary on;",
        "",
        *headers,
        "    add_header Cache-Control $portal_cache_control always;",
        "",
        "    location / {",
        "        try_files $uri $uri/ =404;",
        "    }",
        "",
    ]


def _types(plan: Plan) -> list[str]:
    lines = ["    # media types /etc/nginx/mime.types does not know (docs/subscribing.md)"]
    for pattern, media_type in media_types(plan.paths):
        lines.append(f"    location ~ {_regex(pattern)} {{ types {{ }} default_type {media_type}; }}")
    lines.append(f"    location = /{plan.paths.security_txt()} {{ types {{ }} default_type text/plain; }}")
    lines.append("")
    return lines


def _proxy_headers(indent: str = "        ") -> list[str]:
    return [
        f"{indent}proxy_pass http://{UPSTREAM};",
        f"{indent}proxy_http_version 1.1;",
        f'{indent}proxy_set_header Connection "";',
        f"{indent}proxy_set_header Host $host;",
        f"{indent}# the one address the service believes (RATINGS_TRUSTED_PROXIES=127.0.0.1): nginx's own",
        f"{indent}# view of the client, replacing whatever X-Forwarded-For the client sent",
        f"{indent}proxy_set_header X-Forwarded-For $remote_addr;",
        f"{indent}proxy_set_header X-Forwarded-Proto $scheme;",
        f"{indent}proxy_connect_timeout 2s;",
        f"{indent}proxy_next_upstream error timeout;  # never non_idempotent: a vote is sent to one instance only",
        f"{indent}proxy_read_timeout 30s;",
        f"{indent}access_log off;  # votes stay anonymous: no address next to the article rated",
        f"{indent}proxy_hide_header Content-Security-Policy;  # the server's own headers above, once",
        f"{indent}proxy_hide_header X-Content-Type-Options;",
    ]


def _api(plan: Plan) -> list[str]:
    burst = plan.options.api_burst
    return [
        "    # ---- the ratings service (portal-ratings.service) on the same origin ----",
        f"    location = /{plan.paths.ratings_manifest()} {{ return 404; }}  # for the service, not the public",
        "    location ^~ /api/ {",
        f"        limit_req zone={ZONE} burst={burst} nodelay;",
        "        limit_req_status 429;",
        "        error_page 429 = @api_limited;",
        "        error_page 502 503 504 = @ratings_down;  # the service is not running: a short answer",
        "        client_max_body_size 1k;",
        *_proxy_headers(),
        "        # a vote posted without JavaScript: the service's 303 to the article gets the query that",
        "        # makes the next request a page with the new numbers (location @rated below)",
        f"        proxy_redirect {_regex('~^([^#?]*)#' + THANKS_ANCHOR + '$')} "
        f"{_q('$1?' + AFTER_VOTE + '#' + THANKS_ANCHOR)};",
        "    }",
        "    location @api_limited {",
        "        default_type text/plain;",
        f"        return 429 {_body(LIMITED)};",
        "    }",
        "    location @ratings_down {",
        "        default_type text/plain;",
        f"        return 503 {_body(DOWN)};",
        "    }",
        "",
        f"    # A page asked for with ?{AFTER_VOTE}: where a reader who voted without JavaScript lands. That",
        "    # request is served by the ratings service (RATINGS_SITE_DIR), the page with the count and average",
        "    # as they are now; when the service is down or busy, the static page.",
        "    location ~ \"\\.html$\" {",
        "        error_page 404 /404.html;",
        "        error_page 418 = @rated;",
        "        recursive_error_pages on;  # @rated may hand the request on once more, to @static_page",
        f"        if ($args = {_q(AFTER_VOTE)}) {{ return 418; }}",
        "    }",
        "    location @rated {",
        f"        limit_req zone={ZONE} burst={burst} nodelay;",
        "        limit_req_status 429;",
        "        error_page 429 502 503 504 = @static_page;",
        *_proxy_headers(),
        "        proxy_hide_header Cache-Control;  # a page: no-cache, from the map above",
        "    }",
        "    location @static_page {",
        "        try_files $uri =404;",
        "    }",
    ]


def site_server(plan: Plan) -> list[str]:
    return [
        f"# ---- the site, {plan.siteurl} ----",
        "server {",
        *_listen(plan),
        *_common(plan),
        *_types(plan),
        *_api(plan),
        "}",
    ]


def portal_conf(plan: Plan, header: list[str]) -> str:
    lines = [*header, "", *http_context(plan)]
    if plan.production:
        lines += redirect_server(plan)
    lines += site_server(plan)
    return "\n".join(lines) + "\n"
