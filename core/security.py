"""Protections every response gets: security headers (CSP, framing, sniffing, referrer)."""

from flask import request

# Pages load scripts and styles from this site only (style attributes are allowed: progress bars, charts).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# The API's Swagger UI page comes with an inline start-up script and its files from a CDN.
CDN = "https://cdn.jsdelivr.net"
API_DOCS_POLICY = (
    f"default-src 'self' {CDN}; script-src 'self' 'unsafe-inline' {CDN}; "
    f"style-src 'self' 'unsafe-inline' {CDN}; img-src 'self' data: {CDN}; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def register_security(app) -> None:
    docs_path = f"{app.config['OPENAPI_URL_PREFIX']}/{app.config['OPENAPI_SWAGGER_UI_PATH']}"

    @app.after_request
    def _set_security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        policy = API_DOCS_POLICY if request.path == docs_path else CONTENT_SECURITY_POLICY
        response.headers.setdefault("Content-Security-Policy", policy)
        return response
