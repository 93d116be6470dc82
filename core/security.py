"""Protections of the way in: security headers on every response (CSP, framing, sniffing, referrer),
and the rate limiter (flask-limiter) that throttles sign-in by account and by address.

The limiter counts in memory by default, per process: several web instances (or gunicorn workers) each
count alone unless `SCM_RATELIMIT_STORAGE_URI` points them at one store (e.g. `redis://...`).
Behind reverse proxies, `SCM_TRUSTED_PROXY_HOPS` says how many set `X-Forwarded-For`/`-Proto`, so
that the address counted is the client's, not the proxy's (0: the header is ignored, never spoofable).
"""

from flask import current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

limiter = Limiter(key_func=get_remote_address, headers_enabled=True)

# Pages load scripts and styles from this site only (style attributes are allowed: progress bars, charts).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# The API's Swagger UI page has an inline start-up script; its files come from this site (the installed
# swagger-ui-bundle package, never a CDN: the docs work without internet).
API_DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def sign_in_limits(view):
    """Throttle a sign-in view: failed attempts count per account and per address (429 + Retry-After)."""
    failed = lambda response: response.status_code == 401  # noqa: E731
    view = limiter.limit(lambda: current_app.config["SIGN_IN_LIMIT_PER_ADDRESS"], deduct_when=failed)(view)
    return limiter.limit(
        lambda: current_app.config["SIGN_IN_LIMIT_PER_ACCOUNT"], key_func=_account, deduct_when=failed
    )(view)


def _account() -> str:
    return "account:" + request.form.get("username", "").strip().lower()


def register_security(app) -> None:
    hops = int(app.config["TRUSTED_PROXY_HOPS"])
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    limiter.init_app(app)
    docs_path = f"{app.config['OPENAPI_URL_PREFIX']}/{app.config['OPENAPI_SWAGGER_UI_PATH']}"

    @app.after_request
    def _set_security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        policy = API_DOCS_POLICY if request.path == docs_path else CONTENT_SECURITY_POLICY
        response.headers.setdefault("Content-Security-Policy", policy)
        return response
