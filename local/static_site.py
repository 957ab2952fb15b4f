"""The dashboard's files (``web/dist``), served locally the way CloudFront serves them in AWS:
paths without a file extension are the app's routes and get ``index.html``; hashed assets are
cached for a year, ``index.html`` never; every answer carries the template's response-headers
policy (CSP, HSTS, ``X-Content-Type-Options``, frame denial) — read from ``template.yaml``, so
the two cannot drift apart."""

from __future__ import annotations

import mimetypes
from pathlib import Path, PurePosixPath

from local.apigw import HttpRequest, HttpResponse

ASSETS_CACHE = "public, max-age=31536000, immutable"
INDEX_CACHE = "no-store"
NOT_BUILT = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Grounded</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 640px; margin: 64px auto; line-height: 1.5">
<h1>The dashboard is not built</h1>
<p>The API is running under <code>/api</code>. To see the dashboard here, install Node.js &ge; 20 and run
<code>make web</code> (or restart <code>make dev</code>, which builds it when Node is present).</p>
</body></html>"""


class StaticSite:
    def __init__(self, root: Path, headers: dict[str, str]):
        self.root = root.resolve()
        self.headers = headers

    def _answer(self, status: int, body: bytes, content_type: str, cache: str) -> HttpResponse:
        headers = {**self.headers, "content-type": content_type, "cache-control": cache}
        return HttpResponse(status, headers, body)

    def _file(self, path: str) -> Path | None:
        relative = PurePosixPath(path.lstrip("/"))
        if any(part in ("..", "") for part in relative.parts) and str(relative) != ".":
            return None
        candidate = (self.root / relative).resolve()
        inside = candidate == self.root or self.root in candidate.parents
        return candidate if inside and candidate.is_file() else None

    def respond(self, request: HttpRequest) -> HttpResponse:
        if request.method.upper() not in ("GET", "HEAD"):
            return self._answer(405, b"Method Not Allowed", "text/plain", INDEX_CACHE)
        index = self.root / "index.html"
        if not index.is_file():
            return self._answer(200, NOT_BUILT.encode(), "text/html; charset=utf-8", INDEX_CACHE)
        is_route = "." not in PurePosixPath(request.path).name
        found = index if is_route else self._file(request.path)
        if found is None:
            return self._answer(404, b"Not Found", "text/plain", INDEX_CACHE)
        content_type = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type in ("application/javascript", "image/svg+xml"):
            content_type += "; charset=utf-8"
        cache = INDEX_CACHE if found == index else ASSETS_CACHE if "/assets/" in request.path else "no-cache"
        return self._answer(200, found.read_bytes(), content_type, cache)
