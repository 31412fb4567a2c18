"""Pages and API answers carry a Content-Security-Policy and a Permissions-Policy, and the pages need no
inline script, event handler or style the policy would refuse.

(Found by a security audit: neither header was sent.) The browser tests check
in Chromium that no page breaks the policy.
"""

import re

import pytest

from tests import factories as f

pytestmark = pytest.mark.django_db
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+=|\sstyle=|javascript:", re.IGNORECASE)


@pytest.mark.parametrize("path", ["/login/", "/api/cases", "/no-such-page/"])
def test_every_answer_carries_both_policies(client, path):
    response = client.get(path)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]


@pytest.mark.parametrize(
    "role, path",
    [("officer", "/cases/"), ("officer", "/calendar/"), ("officer", "/bulk/request/"), ("supervisor", "/approvals/"),
     ("supervisor", "/schedules/2025/"), ("auditor", "/history/"), ("auditor", "/dashboard/"),
     ("officer", "/calendar/link/rotate/")],
)
def test_pages_hold_no_inline_script_handler_or_style(client, role, path):
    client.force_login(getattr(f, role)())
    response = client.post(path) if path.endswith("/rotate/") else client.get(path)
    assert response.status_code == 200, path
    assert not INLINE.findall(response.content.decode()), INLINE.findall(response.content.decode())
