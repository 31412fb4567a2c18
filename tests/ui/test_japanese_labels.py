"""English and codes left in the Japanese pages: the revocation draft's legal basis, the history's actions."""

from datetime import date

import pytest

from tests import factories as f
from tests.payments import factories as pf

pytestmark = pytest.mark.django_db


def test_the_revocation_draft_form_labels_its_legal_basis_without_codes(client):
    officer, boss = f.officer(), f.supervisor()
    case = pf.notified(officer=officer, boss=boss, year=2025, amount=1_000_000, on=date(2025, 6, 2))
    client.force_login(officer)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'id="id_draft_revocation_legal_basis"' in page
    assert "根拠法令" in page
    assert "art_17_1：" not in page and "other：" not in page  # the codes are the select's values, not its words
    assert "補助金適正化法第17条第1項（目的外使用、交付条件違反等）" in page  # the options are the labels
