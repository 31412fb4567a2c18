"""The division head a prefecture's working letters go to: master data administrators edit in the admin, each edit recorded."""

import pytest

from grants.models import HistoryEntry, Recipient
from letters.services import recipient_addressee_save
from tests import factories as f
from tests.letters.test_master_data_edits import administrator
from web.errors import InvalidInput, PermissionDenied

pytestmark = pytest.mark.django_db


def records():
    return HistoryEntry.objects.filter(subject_type="recipient")


def test_an_administrator_names_the_division_head_and_the_history_keeps_before_and_after():
    saitama = f.prefecture("11")
    admin = administrator()
    recipient_addressee_save(actor=admin, recipient_id=saitama.pk, addressee_ja="埼玉県福祉部地域包括ケア課長　殿")
    saitama.refresh_from_db()
    assert saitama.addressee_ja == "埼玉県福祉部地域包括ケア課長　殿"
    record = records().get()
    assert record.actor == admin and record.data == {"before": "埼玉県福祉部長　殿", "after": "埼玉県福祉部地域包括ケア課長　殿"}


def test_placeholders_blanks_and_non_administrators_change_nothing():
    saitama = f.prefecture("11")
    for line in ("", "埼玉県介護保険主管部（局）長　殿"):
        with pytest.raises(InvalidInput) as refused:
            recipient_addressee_save(actor=administrator(), recipient_id=saitama.pk, addressee_ja=line)
        assert "addressee_ja" in refused.value.details
    with pytest.raises(PermissionDenied):
        recipient_addressee_save(actor=f.supervisor(), recipient_id=saitama.pk, addressee_ja="埼玉県福祉部地域包括ケア課長")
    assert Recipient.objects.get(pk=saitama.pk).addressee_ja == "埼玉県福祉部長　殿" and not records().exists()


def test_the_admin_edits_through_the_service_and_refuses_a_placeholder_with_a_form_error(client):
    saitama = f.prefecture("11")
    client.force_login(administrator(is_staff=True))
    url = f"/admin/grants/recipient/{saitama.pk}/change/"
    refused = client.post(url, {"addressee_ja": "埼玉県介護保険主管部（局）長　殿"})
    assert refused.status_code == 200 and "errorlist" in refused.content.decode()
    assert not records().exists()
    done = client.post(url, {"addressee_ja": "埼玉県福祉部地域包括ケア課長　殿"})
    assert done.status_code == 302, done.content.decode()[:1000]
    assert records().get().data["after"] == "埼玉県福祉部地域包括ケア課長　殿"
    client.force_login(f.supervisor(is_staff=True))
    assert client.post(url, {"addressee_ja": "x課長"}).status_code == 403
    assert records().count() == 1


def test_shipped_division_heads_name_no_placeholder_and_cover_the_bureaus_prefectures():
    from django.conf import settings

    from grants.recipients import shipped_addressees

    shipped = shipped_addressees()
    assert set(settings.BUREAU_PREFECTURES) <= set(shipped)
    for line in shipped.values():
        assert "主管部" not in line and line.endswith("課長　殿")
