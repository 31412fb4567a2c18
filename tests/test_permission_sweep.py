"""Every URL of the project (the admin aside) against the callers who must not get through.

``ROUTES`` names each URL pattern with how to build its address from one shared
set of real objects (``World``) and what each caller must get:

- nobody signed in: a web page sends to the sign-in page, the API answers 401
  in the JSON error shape; the few public addresses say why they are public;
- an auditor: every POST, PUT, PATCH and DELETE writes nothing; the writes a
  route takes are refused with 403, except the auditor's own sign-in, language
  and calendar link, which the table names;
- an officer of Tokyo (13) reads nothing of a Saitama (11) case: a read is
  refused (403/404) or answers without it, while the officer of Saitama, or the
  role the page is for, gets it from the same address (so a refusal is never an
  address that is simply wrong).

A pattern the table does not know fails ``test_every_url_pattern_is_in_the_table``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pytest
from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from knox.models import AuthToken
from rest_framework.test import APIClient

from grants.models import Case, HistoryEntry
from inquiries.models import Inquiry
from inquiries.services import inquiry_record
from letters.models import Letter
from letters.services import letter_batch_create
from payments.models import PaymentRun, ReturnClaim
from payments.services import FundBalanceRow, fund_balance_import, payment_run_create
from schedules.models import CalendarFeedToken
from schedules.services import calendar_feed_token_rotate
from tests import factories as f
from tests.factories import Stream
from tests.http import assert_error
from tests.letters.factories import requested_case
from tests.payments import factories as pf

pytestmark = pytest.mark.django_db

TODAY = date(2025, 9, 1)
PASSWORD = "pw-for-tests-123"
CSG = Stream.COMMUNITY_SUPPORT_GRANT
# What only a reader of the Saitama case may see: its recipient, and the fund's closing balance.
CASE_DATA = ("112011", "川越市")
FUND_CLOSING = 1_234_974
UNSAFE_METHODS = ("post", "put", "patch", "delete")
QUESTION = "補助対象経費に備品購入費は含まれますか"  # the Saitama inquiry's question: only its readers see it


@dataclass
class World:
    """One set of real objects, all of Saitama (11): a requested FY2025 case, a revoked FY2023 case with its
    payments and return claim, letters, a letter batch, a draft payment run, a fund balance."""

    officer: AbstractBaseUser  # Saitama and Chiba, every stream
    supervisor: AbstractBaseUser
    auditor: AbstractBaseUser
    outsider: AbstractBaseUser  # an officer of Tokyo, every stream
    case: Case
    revoked: Case
    letter: Letter
    loose_letter: Letter  # in no batch
    batch_id: int
    draft_run: PaymentRun
    claim: ReturnClaim
    feed_tokens: dict = field(default_factory=dict)
    inquiry: Inquiry | None = None  # asked by 川越市 about the community support grant

    def role(self, name: str) -> AbstractBaseUser | None:
        return None if name == "anonymous" else getattr(self, name)


@pytest.fixture
def world(today, settings, tmp_path, django_capture_on_commit_callbacks) -> World:
    settings.MEDIA_ROOT = tmp_path / "media"
    today(TODAY)
    with django_capture_on_commit_callbacks(execute=True):  # letters are drawn to PDF once their act commits
        pf.shipped_plans()
        officer, supervisor, auditor = f.officer(), f.supervisor(), f.auditor()
        outsider = f.officer(prefectures=("13",))
        revoked = pf.notified(officer=officer, boss=supervisor, year=2023, amount=10_000_000, on=date(2023, 10, 19))
        pf.paid_run(date(2023, 10, 30), officer=officer, boss=supervisor)
        revoked = pf.revoked(revoked, supervisor, today=date(2024, 3, 1), reason="補助目的外への使用", legal_basis="art_17_1")
        case = requested_case(officer=officer, deadline="2025-09-16")
        pf.payment_item(officer=officer, amount=1_000, due_on=date(2025, 9, 30), year=2024)
        draft_run = payment_run_create(actor=officer, run_on=date(2025, 9, 30))
        f.fiscal_year(2024)
        fund_balance_import(
            actor=supervisor, rows=[FundBalanceRow("11", 2024, 1_234_567, 600, 300, 7, 500, FUND_CLOSING)]
        )
    letter = Letter.objects.get(case=case, kind="request")
    batch = letter_batch_create(actor=officer, letter_ids=[letter.pk], title="依頼文")
    built = World(
        officer=officer, supervisor=supervisor, auditor=auditor, outsider=outsider, case=case, revoked=revoked,
        letter=letter, loose_letter=Letter.objects.filter(case=revoked, batch=None).first(), batch_id=batch.pk,
        draft_run=draft_run, claim=ReturnClaim.objects.get(case=revoked),
    )
    built.inquiry = inquiry_record(
        actor=officer, received_on=date(2025, 8, 1), asker="112011", stream=CSG, question=QUESTION
    )
    built.feed_tokens = {user.pk: calendar_feed_token_rotate(actor=user) for user in (officer, outsider)}
    return built


# ---------------------------------------------------------------- what each caller must get


@dataclass(frozen=True)
class Public:
    """Open to nobody signed in, for ``reason``: the statuses it answers (by method)."""

    reason: str
    statuses: dict


@dataclass(frozen=True)
class Read:
    """A GET of the route: ``query`` (from the world and the caller) and what the officer of Tokyo gets.

    ``outsider``: ``REFUSED`` (403/404, without ``secret``), ``HIDDEN`` (200, without ``secret``), or a
    sentence saying why the read is not a case's (then only the other checks apply). ``reader`` gets
    ``secret`` from the same address.
    """

    outsider: str
    query: Callable[[World, AbstractBaseUser | None], dict] = lambda world, user: {}
    reader: str = "officer"
    secret: tuple[str, ...] = CASE_DATA


@dataclass(frozen=True)
class Write:
    """A write the route takes: the body an auditor sends, and (for their own settings) what they get instead of 403."""

    body: Callable[[World], dict] = lambda world: {}
    auditor: int = 403
    why: str = ""
    # Acting on a Saitama case, its letters or money: what the officer of Tokyo gets (and they change nothing).
    outsider: tuple[int, ...] = ()


REFUSED, HIDDEN = "refused", "hidden"
REFUSALS = (403, 404, 422)


@dataclass(frozen=True)
class Route:
    kwargs: Callable[[World], dict] = lambda world: {}
    reads: tuple[Read, ...] = ()
    writes: dict = field(default_factory=dict)  # method -> Write
    public: Public | None = None


def case_id(world):
    return {"case_id": world.case.pk}


def transition_body(world):
    return {"version": world.case.version, "amount": "1000", "date": "2025-09-10"}


def feed_query(world, user):
    return {"token": world.feed_tokens.get(getattr(user, "pk", None), "")}


OWN_LINK = "the auditor's own calendar link, not case data"
# A payment run is one batch for the whole bureau: the officer of Tokyo reads it, without Saitama's items or money.
RUN_TOTAL = ('"total":1000,',)
NOT_CASE_DATA = "not a case's data"
# A ZIP by its local-file header: "PK" alone turns up by chance in a refusal page's random CSRF token.
PDF, ZIP = ("%PDF",), ("PK\x03\x04", "112011")

ROUTES: dict[str, Route] = {
    # ---- API
    "api:openapi": Route(
        reads=(Read(NOT_CASE_DATA),),
        public=Public("the API's description, no data", {"get": 200, "post": 405, "put": 405, "patch": 405, "delete": 405}),
    ),
    "api:token": Route(
        writes={"post": Write(lambda w: {"username": w.auditor.username, "password": PASSWORD}, 200, "signing in")},
        public=Public("signing in", {"get": 405, "post": 422, "put": 405, "patch": 405, "delete": 405}),
    ),
    "api:token-revoke": Route(writes={"post": Write(auditor=204, why="signing their own device out")}),
    "api:token-revoke-all": Route(writes={"post": Write(auditor=204, why="signing all their own devices out")}),
    "api:recipients": Route(reads=(Read("recipients are master data every user reads"),)),
    "api:budget-notices": Route(
        writes={"post": Write(lambda w: {"fiscal_year": 2025, "stream": CSG, "amount": 5, "received_on": "2025-04-01",
                                         "reference": "老発0401第1号"})},
    ),
    "api:history-verify": Route(reads=(Read(REFUSED, reader="auditor", secret=('"ok":true',)),)),
    "api:history-export": Route(reads=(Read(REFUSED, lambda w, u: {"case": w.case.pk}, reader="auditor"),)),
    "api:cases": Route(
        reads=(Read(HIDDEN),),
        writes={"post": Write(lambda w: {"fiscal_year": 2025, "stream": CSG, "procedure": "initial_grant",
                                         "recipient": "112011"})},
    ),
    "api:case-detail": Route(case_id, reads=(Read(REFUSED),)),
    "api:case-transition": Route(
        lambda w: {"case_id": w.case.pk, "name": "submit"}, writes={"post": Write(transition_body, outsider=REFUSALS)}
    ),
    "api:payment-runs": Route(
        reads=(Read(HIDDEN, secret=RUN_TOTAL),), writes={"post": Write(lambda w: {"date": "2025-10-30"})}
    ),
    "api:payment-run-detail": Route(
        # A run holding none of the reader's items is refused, as a case outside their scope is.
        lambda w: {"run_id": w.draft_run.pk}, reads=(Read(REFUSED, secret=(*CASE_DATA, *RUN_TOTAL)),)
    ),
    "api:payment-run-transition": Route(
        lambda w: {"run_id": w.draft_run.pk, "name": "approve"}, writes={"post": Write()}
    ),
    "api:payment-items": Route(
        reads=(Read(HIDDEN), Read(HIDDEN, lambda w, u: {"case": w.revoked.pk}))
    ),
    "api:return-claims": Route(
        reads=(Read(HIDDEN), Read(HIDDEN, lambda w, u: {"case": w.revoked.pk}))
    ),
    "api:return-claim-payments": Route(
        lambda w: {"claim_id": w.claim.pk}, writes={"post": Write(lambda w: {"amount": 1, "paid_on": "2024-04-01"}, outsider=REFUSALS)}
    ),
    "api:fund-balances": Route(
        reads=(Read(HIDDEN, secret=(str(FUND_CLOSING),)),),
        writes={"post": Write(lambda w: {"rows": [{
            "prefecture": "11", "fiscal_year": 2025, "opening": FUND_CLOSING, "national_contribution": 0,
            "prefectural_contribution": 0, "interest": 0, "spending": 0, "closing": FUND_CLOSING,
        }]}, outsider=REFUSALS)},
    ),
    "api:inquiries": Route(
        reads=(Read(HIDDEN, secret=(QUESTION,)),),
        writes={"post": Write(lambda w: {"received_on": "2025-08-20", "asker": "112011", "stream": CSG,
                                         "question": "照会"}, outsider=REFUSALS)},
    ),
    "api:inquiry-detail": Route(lambda w: {"inquiry_id": w.inquiry.pk}, reads=(Read(REFUSED, secret=(QUESTION,)),)),
    "api:inquiry-answer": Route(
        lambda w: {"inquiry_id": w.inquiry.pk},
        writes={"post": Write(lambda w: {"answered_on": "2025-08-20", "answer": "回答"}, outsider=REFUSALS)},
    ),
    "api:calendar": Route(reads=(Read(HIDDEN),)),
    "api:calendar-ics": Route(
        reads=(Read(HIDDEN, feed_query),),
        public=Public("its secret token is the key (test_the_calendar_feed_opens_only_with_its_secret_token)",
                      {"get": 401, "post": 405, "put": 405, "patch": 405, "delete": 405}),
    ),
    "api:calendar-feed-token": Route(writes={"post": Write(auditor=201, why=OWN_LINK), "delete": Write(auditor=204, why=OWN_LINK)}),
    "api:schedule": Route(
        lambda w: {"fiscal_year": 2025},
        reads=(Read("schedules are the same for every user"),),
        writes={"post": Write(lambda w: {"schedules": []})},
    ),
    "api:letters": Route(reads=(Read(HIDDEN), Read(REFUSED, lambda w, u: {"case": w.case.pk}))),
    "api:letter-pdf": Route(lambda w: {"letter_id": w.letter.pk}, reads=(Read(REFUSED, secret=PDF),)),
    "api:case-follow-ups": Route(case_id, writes={"post": Write(outsider=REFUSALS)}),
    "api:letter-batches": Route(writes={"post": Write(lambda w: {"title": "z", "letters": [w.loose_letter.pk]}, outsider=REFUSALS)}),
    "api:letter-batch": Route(lambda w: {"batch_id": w.batch_id}, reads=(Read(REFUSED),)),
    "api:letter-batch-pdf": Route(lambda w: {"batch_id": w.batch_id}, reads=(Read(REFUSED, secret=PDF),)),
    "api:letter-batch-zip": Route(lambda w: {"batch_id": w.batch_id}, reads=(Read(REFUSED, secret=ZIP),)),
    # ---- web pages
    "set_language": Route(
        reads=(Read("choosing a language: a GET goes back to the page"),),
        writes={"post": Write(lambda w: {"language": "en"}, 302, "choosing a language")},
        public=Public("choosing a language", {"get": 302, "post": 302, "put": 302, "patch": 302, "delete": 302}),
    ),
    "login": Route(
        reads=(Read("the sign-in form"),),
        writes={"post": Write(lambda w: {"username": w.auditor.username, "password": PASSWORD}, 302, "signing in")},
        public=Public("signing in", {"get": 200, "post": 200, "put": 200, "patch": 405, "delete": 405}),
    ),
    "logout": Route(
        writes={"post": Write(auditor=302, why="signing out")},
        public=Public("signing out", {"get": 405, "post": 302, "put": 405, "patch": 405, "delete": 405}),
    ),
    "home": Route(reads=(Read("sends each role to its first page"),)),
    "dashboard": Route(reads=(Read(HIDDEN, lambda w, u: {"fiscal_year": 2023}, secret=("5,000,000",)),)),
    "history": Route(reads=(Read(REFUSED, reader="auditor"),)),
    "history-verify-page": Route(reads=(Read(REFUSED, reader="auditor", secret=('data-testid="verify-ok"',)),)),
    "return-claims": Route(reads=(Read(HIDDEN),)),
    "return-claim-detail": Route(
        lambda w: {"claim_id": w.claim.pk},
        reads=(Read(REFUSED),),
        writes={"post": Write(lambda w: {"amount": "1", "paid_on": "2024-04-01"}, outsider=REFUSALS)},
    ),
    "fund-balances": Route(reads=(Read(HIDDEN, secret=(f"{FUND_CLOSING:,}",)),)),
    "recipients": Route(reads=(Read("recipients are master data every user reads"),)),
    "worklist": Route(reads=(Read(HIDDEN),)),
    # the world's case is late from its deadline on (2025-09-16)
    "late-by-prefecture": Route(reads=(Read(HIDDEN, lambda w, u: {"on": "2025-10-01"}),)),
    "case-detail": Route(case_id, reads=(Read(REFUSED),)),
    "case-as-of": Route(case_id, reads=(Read(REFUSED, lambda w, u: {"date": "2025-09-10"}),)),
    "case-step": Route(
        lambda w: {"case_id": w.case.pk, "name": "submit"},
        reads=(Read("a GET only sends to the case page, which refuses"),),
        writes={"post": Write(transition_body, outsider=REFUSALS)},
    ),
    "approval-queue": Route(reads=(Read(REFUSED, reader="supervisor"),)),
    "payment-run-step": Route(
        lambda w: {"run_id": w.draft_run.pk, "name": "approve"},
        writes={"post": Write(auditor=302, why="refused: the refusal comes back as a message on the approval queue")},
    ),
    "budget-notices": Route(
        reads=(Read("the bureau's budget by stream, not a case's data"),),
        writes={"post": Write(lambda w: {"fiscal_year": 2025, "stream": CSG, "amount": "5", "received_on": "2025-04-01",
                                         "reference": "老発0401第1号"})},
    ),
    "case-follow-up": Route(
        case_id, reads=(Read("a GET only sends to the case page, which refuses"),), writes={"post": Write(outsider=REFUSALS)}
    ),
    "bulk-request": Route(
        reads=(Read(HIDDEN, lambda w, u: {"transition": "request", "fiscal_year": 2025, "stream": CSG,
                                          "procedure": "initial_grant"}),),
        writes={"post": Write(lambda w: {"transition": "request", "fiscal_year": 2025, "stream": CSG,
                                         "procedure": "initial_grant", "cases": f"{w.case.pk}:{w.case.version}"},
                                   outsider=(302,))},  # to the summary, which lists the case as refused
    ),
    "bulk-request-summary": Route(reads=(Read("the last bulk act of the caller's own session, or back to the form"),)),
    "bulk-approve": Route(writes={"post": Write(lambda w: {"cases": f"{w.case.pk}:{w.case.version}"}, outsider=(403,))}),
    "submission-import": Route(
        reads=(Read("a form: the cases it lists come from a file posted to it"),),
        writes={"post": Write(lambda w: {"fiscal_year": 2025, "stream": CSG, "procedure": "initial_grant",
                                         "rows": f"{w.case.pk}:{w.case.version}:1000:"},
                                   outsider=(302,))},  # to the summary, which lists the case as refused
    ),
    "saved-filter-create": Route(writes={"post": Write(lambda w: {"name": "mine", "query": "state=requested"},
                                                      auditor=302, why="the caller's own saved filters, not case data")}),
    "saved-filter-delete": Route(lambda w: {"filter_id": 1},
                                 writes={"post": Write(auditor=302, why="only the caller's own saved filters are deleted")}),
    "payment-runs": Route(reads=(Read("runs are bureau-wide; their recipients and amounts are in the approval queue"),)),
    "payment-run-create": Route(
        reads=(Read("a GET only sends to the payment runs page"),), writes={"post": Write(lambda w: {"run_on": "2025-09-01"})}
    ),
    "payment-run-notices": Route(lambda w: {"run_id": w.draft_run.pk},
                                 reads=(Read("a draft run has no notices: 404 for everyone"),)),
    "calendar": Route(reads=(Read(HIDDEN, lambda w, u: {"view": "list", "fiscal_year": 2025}),)),
    "calendar-feed-rotate": Route(
        reads=(Read("a GET only sends to the calendar"),), writes={"post": Write(auditor=200, why=OWN_LINK)}
    ),
    "calendar-feed-revoke": Route(writes={"post": Write(auditor=302, why=OWN_LINK)}),
    "letter-pdf": Route(lambda w: {"letter_id": w.letter.pk}, reads=(Read(REFUSED, secret=PDF),)),
    "letter-batch-pdf": Route(lambda w: {"batch_id": w.batch_id}, reads=(Read(REFUSED, secret=PDF),)),
    "letter-batch-zip": Route(lambda w: {"batch_id": w.batch_id}, reads=(Read(REFUSED, secret=ZIP),)),
    "schedules": Route(reads=(Read("sends to this year's schedules"),)),
    "schedule-editor": Route(
        lambda w: {"fiscal_year": 2025},
        reads=(Read("schedules are the same for every user; supervisors edit them"),),
        writes={"post": Write(lambda w: {"step": 1, "precision": "exact", "date_from": "2025-10-01"})},
    ),
    "inquiries": Route(reads=(Read(HIDDEN, secret=(QUESTION,)),)),
    "inquiry-export": Route(reads=(Read(HIDDEN, secret=(QUESTION,)),)),
    "inquiry-create": Route(reads=(Read("a GET only sends to the register, which hides"),), writes={"post": Write(lambda w: {"received_on": "2025-08-20", "asker": "112011", "stream": CSG,
                                                             "question": "照会"}, outsider=REFUSALS)}),
    "inquiry-detail": Route(
        lambda w: {"inquiry_id": w.inquiry.pk},
        reads=(Read(REFUSED, secret=(QUESTION,)),),
        writes={"post": Write(lambda w: {"answered_on": "2025-08-20", "answer": "回答"}, outsider=REFUSALS)},
    ),
    "schedule-definitions": Route(
        lambda w: {"fiscal_year": 2025},
        reads=(Read("definitions are the same for every user; supervisors edit them"),),
        writes={"post": Write(lambda w: {"stream": CSG, "sub_procedure": "initial_grant", "informal_notice": "none"})},
    ),
    "schedule-roll-forward": Route(lambda w: {"fiscal_year": 2025}, writes={"post": Write(lambda w: {"to_year": 2026})}),
}


# ---------------------------------------------------------------- helpers


def url_names(resolver: URLResolver | None = None, namespace: str = "") -> list[str]:
    """The name of every URL pattern, namespaced (``api:cases``), the admin's left out."""
    names = []
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name != "admin":
                names += url_names(pattern, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
        elif isinstance(pattern, URLPattern):
            names.append(f"{namespace}{pattern.name}")
    return names


def client_for(name: str, user) -> Client:
    """The API with the user's bearer token (as a script calls it), a page with a signed-in session."""
    if name.startswith("api:"):
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {AuthToken.objects.create(user=user)[1]}")
        return client
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def call(client, name: str, method: str, url: str, data: dict | None = None):
    """GET with ``data`` as the query; the API's writes in JSON, a page's POST as a form."""
    if method == "get":
        return client.get(url, data or {})
    if name.startswith("api:"):
        return getattr(client, method)(url, data or {}, format="json")
    if method == "post":
        return client.post(url, data or {})
    return getattr(client, method)(url)


def body_of(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", errors="replace")


def stored_rows() -> dict[str, int]:
    """Rows in each of the project's tables, the callers' own calendar links aside."""
    return {
        model._meta.label: model.objects.count()
        for label in ("calendars", "grants", "inquiries", "payments", "schedules", "workflows", "letters")
        for model in apps.get_app_config(label).get_models()
        if model is not CalendarFeedToken
    }


def route_ids() -> list[str]:
    return sorted(ROUTES)


# ---------------------------------------------------------------- tests


def test_every_url_pattern_is_in_the_table():
    known, routed = set(ROUTES), set(url_names())
    assert not routed - known, f"URL patterns with no entry in ROUTES: {sorted(routed - known)}"
    assert not known - routed, f"ROUTES entries with no URL pattern: {sorted(known - routed)}"
    unexplained = [name for name, route in ROUTES.items() for w in route.writes.values() if w.auditor != 403 and not w.why]
    assert not unexplained, f"an auditor's write that is not a 403 needs its reason: {unexplained}"


@pytest.mark.parametrize("name", route_ids())
def test_nobody_signed_in_gets_nothing(world, name):
    route = ROUTES[name]
    url = reverse(name, kwargs=route.kwargs(world))
    client = client_for(name, None)
    for method in ("get", *UNSAFE_METHODS):
        response = call(client, name, method, url)
        if route.public is not None:
            assert response.status_code == route.public.statuses[method], (method, response.status_code)
        elif name.startswith("api:"):
            error = assert_error(response, 401, "not_authenticated")
            assert error["details"] == {} and response["WWW-Authenticate"].startswith("Bearer")
        else:
            assert response.status_code == 302 and response["Location"].startswith(f"{reverse('login')}?next="), (
                method, response.status_code,
            )


@pytest.mark.parametrize("name", route_ids())
def test_an_auditor_writes_nothing(world, name):
    route = ROUTES[name]
    url = reverse(name, kwargs=route.kwargs(world))
    read_status = call(client_for(name, world.auditor), name, "get", url).status_code
    for method in UNSAFE_METHODS:
        history, rows = HistoryEntry.objects.count(), stored_rows()
        write = route.writes.get(method)
        # A client (and API token) per method: signing out revokes the token the next method would use.
        response = call(client_for(name, world.auditor), name, method, url, write.body(world) if write else None)
        assert (HistoryEntry.objects.count(), stored_rows()) == (history, rows), method
        if write is not None:
            assert response.status_code == write.auditor, (method, response.status_code, body_of(response)[:300])
            if write.auditor == 403 and name.startswith("api:"):
                assert response.json()["error"]["code"] in ("permission_denied", "out_of_scope"), response.json()
        elif name.startswith("api:"):
            assert_error(response, 405, "method_not_allowed")
        else:
            # A page of ours that only reads refuses every other method; Django's own sign-in and language
            # views (public) answer another method as they answer a GET.
            assert response.status_code in ((405, read_status) if route.public else (405,)), (method, response.status_code)


@pytest.mark.parametrize("name", route_ids())
def test_an_officer_of_another_prefecture_reads_nothing_of_the_case(world, name):
    route = ROUTES[name]
    url = reverse(name, kwargs=route.kwargs(world))
    if not route.reads:  # a GET added to a route that only writes must come into the table
        assert call(client_for(name, world.outsider), name, "get", url).status_code == 405
    for read in route.reads:
        if read.outsider not in (REFUSED, HIDDEN):
            continue
        reader = world.role(read.reader)
        seen = call(client_for(name, reader), name, "get", url, read.query(world, reader))
        assert seen.status_code == 200, (read.reader, seen.status_code)
        assert any(secret in body_of(seen) for secret in read.secret), f"{read.reader} does not see {read.secret}"
        response = call(client_for(name, world.outsider), name, "get", url, read.query(world, world.outsider))
        expected = (403, 404) if read.outsider == REFUSED else (200,)
        assert response.status_code in expected, (read.query(world, world.outsider), response.status_code)
        leaked = [secret for secret in read.secret if secret in body_of(response)]
        assert not leaked, f"the officer of Tokyo sees {leaked}: {body_of(response)[:300]}"


@pytest.mark.parametrize("name", [name for name in route_ids() if any(w.outsider for w in ROUTES[name].writes.values())])
def test_an_officer_of_another_prefecture_changes_nothing_of_the_case(world, name):
    route = ROUTES[name]
    url = reverse(name, kwargs=route.kwargs(world))
    client = client_for(name, world.outsider)
    for method, write in route.writes.items():
        history, rows = HistoryEntry.objects.count(), stored_rows()
        response = call(client, name, method, url, write.body(world))
        assert (HistoryEntry.objects.count(), stored_rows()) == (history, rows), method
        assert response.status_code in write.outsider, (method, response.status_code)


def test_the_calendar_feed_opens_only_with_its_secret_token(world):
    feed, anonymous = reverse("api:calendar-ics"), APIClient()
    token = world.feed_tokens[world.officer.pk]
    opened = anonymous.get(feed, {"token": token})
    assert opened.status_code == 200 and opened["Content-Type"].startswith("text/calendar")
    assert "川越市" in body_of(opened)
    for wrong in ("", token[:-1], token.upper()):
        assert_error(anonymous.get(feed, {"token": wrong}), 401, "invalid_feed_token")
    calendar_feed_token_rotate(actor=world.officer)
    assert_error(anonymous.get(feed, {"token": token}), 401, "invalid_feed_token")


@pytest.mark.parametrize("role", ["supervisor", "auditor"])
@pytest.mark.parametrize("name", ["api:letter-batch", "api:letter-batch-pdf", "api:letter-batch-zip",
                                  "letter-batch-pdf", "letter-batch-zip"])
def test_supervisors_and_auditors_read_every_letter_batch(world, role, name):
    response = client_for(name, world.role(role)).get(reverse(name, kwargs={"batch_id": world.batch_id}))
    assert response.status_code == 200, body_of(response)[:300]
