"""A small HTTP client for the API and the web forms of a server on 127.0.0.1, as a TLS proxy would pass them on.

Requests carry ``X-Forwarded-Proto: https``, the header the reverse proxy in
``deploy/nginx/grants.conf`` sets, so production settings (HTTPS redirect,
secure cookies, CSRF origin checks) see what they see behind the proxy.
Standard library only: the soak commands and the test suite both use it.
"""

import http.client
import json
import socket
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

#: What a request that never got its answer raises: the server died (or was killed) under it.
LOST = (ConnectionError, http.client.HTTPException, socket.timeout, OSError)


@dataclass
class Reply:
    status: int
    body: bytes
    header_list: list[tuple[str, str]]

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.header_list if key.lower() == name.lower()), None)

    def json(self):
        return json.loads(self.body)

    @property
    def error_code(self) -> str | None:
        """The ``error.code`` of an error-shape answer, else None."""
        try:
            return self.json()["error"]["code"]
        except (ValueError, KeyError, TypeError):
            return None


class Client:
    """One server's API, optionally as one signed-in user (``token``)."""

    def __init__(self, base_url: str, token: str | None = None, timeout: float = 120):
        parts = urlsplit(base_url)
        if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError(f"operations tests talk to loopback servers only, not {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.host, self.port = parts.hostname, parts.port or 80
        self.token = token
        self.timeout = timeout

    def as_user(self, token: str) -> "Client":
        return Client(self.base_url, token, self.timeout)

    def request(
        self, method: str, path: str, body=None, *, params: dict | None = None, headers: dict | None = None
    ) -> Reply:
        """Send one request on a fresh connection; raises one of ``LOST`` when no answer comes back."""
        if params:
            path = f"{path}?{urlencode(params)}"
        sent = {"X-Forwarded-Proto": "https", "Accept": "application/json", **(headers or {})}
        if self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
            sent["Content-Type"] = "application/json"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            return Reply(response.status, response.read(), response.getheaders())
        finally:
            connection.close()

    def get(self, path: str, **params) -> Reply:
        return self.request("GET", path, params=params)

    def post(self, path: str, body=None) -> Reply:
        return self.request("POST", path, {} if body is None else body)

    def ok(self, method: str, path: str, body=None, **params):
        """The JSON answer of a request that must succeed; AssertionError with the answer otherwise."""
        reply = self.request(method, path, body, params=params or None)
        assert 200 <= reply.status < 300, (method, path, reply.status, reply.body[:2000])
        return reply.json()

    def pages(self, path: str, **params):
        """Every item of a paginated list (``{"items", "count"}``, ``?page=``)."""
        page = 1
        while True:
            answer = self.ok("GET", path, **params, page=page)
            yield from answer["items"]
            if page * answer["page_size"] >= answer["count"]:
                return
            page += 1

    def login(self, username: str, password: str) -> "Client":
        """This server's API as ``username`` (``POST /api/auth/token``)."""
        answer = self.ok("POST", "/api/auth/token", {"username": username, "password": password})
        return self.as_user(answer["token"])


class WebSession:
    """A browser-like session for the server-rendered forms: session and CSRF cookies, the Origin a browser sends."""

    def __init__(self, client: Client):
        self.client = Client(client.base_url, timeout=client.timeout)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> Reply:
        headers = {"Accept": "text/html"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode({**form, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://{self.client.host}:{self.client.port}"
            headers["Referer"] = f"https://{self.client.host}:{self.client.port}{path}"
        reply = self.client.request(method, path, body, headers=headers)
        for line in [value for key, value in reply.header_list if key.lower() == "set-cookie"]:
            for name, morsel in SimpleCookie(line).items():
                self.cookies[name] = morsel.value
        return reply

    def login(self, username: str, password: str) -> "WebSession":
        self.request("GET", "/login/")
        reply = self.request("POST", "/login/", {"username": username, "password": password})
        assert reply.status == 302 and "sessionid" in self.cookies, (reply.status, reply.body[:500])
        return self

