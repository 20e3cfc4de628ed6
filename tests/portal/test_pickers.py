"""The pickers: place, industry, bank — and amounts in 万元 — with and without JS."""

from __future__ import annotations

import re

from django.urls import reverse

from tests.portal.conftest import example_data
from yilian.api.applications import ApplicationSerializer
from yilian.forms import services
from yilian.forms.models import Application

PLACE = {"division-province": "370000", "division-city": "371000",
         "division-county": "371071", "division-street": "371071007"}


def _step(application, slug):
    return reverse("portal:step", kwargs={"pk": application.pk, "step": slug})


def _page(response) -> str:
    return response.content.decode()


def test_the_enterprise_page_is_preset_to_the_zone_and_shows_the_derived_code(signed_in,
                                                                               applicant):
    signed_in.post(reverse("portal:new"))
    application = Application.objects.get(owner=applicant)
    page = _page(signed_in.get(_step(application, "enterprise")))
    assert '<option value="371071" selected>威海火炬高技术产业开发区</option>' in page
    assert '<output id="division-code" name="division-code-shown">371071</output>' in page
    typed = re.findall(r'<input type="text"[^>]*name="([^"]+)"', page)
    assert "division_code" not in typed and "industry_code" not in typed  # never typed
    assert "怡园街道" in page  # the zone's streets are offered


def test_the_zone_follows_a_setting(signed_in, applicant, settings):
    settings.ZONE_DIVISION = "371002"
    answer = signed_in.post(reverse("portal:new"))
    assert Application.objects.get(owner=applicant).division_code == "371002"
    assert answer.status_code == 302


def test_without_js_a_refresh_saves_the_choice_and_comes_back(signed_in, draft):
    answer = signed_in.post(_step(draft, "enterprise"), {
        "name": draft.name, "org_form": "llc_multi", "registered_capital": "100",
        **PLACE, "division-county": "371082", "division-street": "",
        "domicile": "", "refresh": "division"})
    assert answer.status_code == 302 and answer["Location"] == _step(draft, "enterprise")
    draft.refresh_from_db()
    assert draft.division_code == "371082"
    page = _page(signed_in.get(answer["Location"]))
    assert "宁津街道" in page and "怡园街道" not in page  # 荣成市's streets now


def test_a_city_under_another_province_is_dropped_with_what_is_below_it(signed_in, draft):
    signed_in.post(_step(draft, "enterprise"), {
        "name": draft.name, **PLACE, "division-province": "110000",
        "domicile": "长安街1号", "refresh": "division"})
    draft.refresh_from_db()
    assert draft.division_code == "110000" and draft.domicile == "北京市长安街1号"


def test_the_domicile_is_built_from_the_picked_place_and_the_address(signed_in, draft):
    answer = signed_in.post(_step(draft, "enterprise"), {
        "name": draft.name, "org_form": "llc_multi", "registered_capital": "１００万元",
        **PLACE, "domicile": "田和路8号", "go": "save"})
    assert answer.status_code == 302
    draft.refresh_from_db()
    assert draft.division_code == "371071"
    assert draft.domicile == "山东省威海市威海火炬高技术产业开发区田和街道田和路8号"
    assert str(draft.registered_capital) == "1000000.00"


def test_an_address_naming_another_district_is_refused_beside_the_picker(signed_in, draft):
    answer = signed_in.post(_step(draft, "enterprise"), {
        "name": draft.name, **PLACE, "division-street": "",
        "domicile": "环翠区文化中路1号", "go": "next"})
    assert answer.status_code == 400
    error = re.search(r'id="division_code-error"[^>]*>([^<]+)<', _page(answer)).group(1)
    assert "371002" in error and "环翠区" in error


def test_the_cascade_fragment_answers_the_next_level(signed_in):
    page = _page(signed_in.get(reverse("portal:division-options"), {
        "division-province": "370000", "division-city": "371000"}))
    assert "威海火炬高技术产业开发区" in page and "环翠区" in page
    assert 'name="division-street"' not in page  # no county yet, so no streets
    assert "请选到区县或开发区" in page


def test_industry_follows_the_main_scope_entry_and_can_be_picked_in_words(signed_in, draft):
    scope = {"business_scope": ["信息技术咨询服务", "软件开发"], "industry_auto": "1",
             "industry_code": "6513"}
    signed_in.post(_step(draft, "scope"), {**scope, "go": "save"})
    draft.refresh_from_db()
    assert draft.industry_code == "6560"  # 信息技术咨询服务, now the main entry
    results = _page(signed_in.get(reverse("portal:industry-search"), {"iq": "软件"}))
    assert "应用软件开发" in results and 'value="6513"' in results
    signed_in.post(_step(draft, "scope"), {**scope, "pick_industry": "6513"})
    draft.refresh_from_db()
    assert draft.industry_code == "6513"
    page = _page(signed_in.get(_step(draft, "scope")))
    assert "<strong>应用软件开发</strong>" in page and 'name="industry_auto"' not in page
    # Picked by hand, it stays when the scope changes; "auto" brings the scope's back.
    signed_in.post(_step(draft, "scope"), {"business_scope": ["信息技术咨询服务"],
                                           "industry_code": "6513", "go": "save"})
    draft.refresh_from_db()
    assert draft.industry_code == "6513"
    signed_in.post(_step(draft, "scope"), {"business_scope": ["信息技术咨询服务"],
                                           "industry_code": "6513", "pick_industry": "auto"})
    draft.refresh_from_db()
    assert draft.industry_code == "6560"


def test_industry_search_works_without_js(signed_in, draft):
    page = _page(signed_in.get(_step(draft, "scope") + "?iq=软件"))
    assert 'name="pick_industry" value="6513"' in page


def test_banks_are_picked_from_the_zones_list(signed_in, draft):
    page = _page(signed_in.get(_step(draft, "choices")))
    assert '<option value="中国工商银行|威海高技术产业开发区支行" selected>' in page
    signed_in.post(_step(draft, "choices"), {
        "seals": ["official"], "bank_wanted": "1",
        "bank_appointment-choice": "中国银行|威海高技术产业开发区支行",
        "bank_appointment-date": "2030-12-31", "go": "save"})
    draft.refresh_from_db()
    assert draft.bank_appointment["bank"] == "中国银行"


def test_amounts_in_wan_are_shown_with_separators(signed_in, applicant):
    data = {**example_data(), "registered_capital": "123456789.00"}
    data["investors"][0]["amount"] = "123456789.00"
    serializer = ApplicationSerializer(data=data)
    assert serializer.is_valid(), serializer.errors
    application = services.create_draft(applicant, serializer.validated_data)
    assert 'value="12,345.6789"' in _page(signed_in.get(_step(application, "enterprise")))
    assert 'value="12,345.6789"' in _page(signed_in.get(_step(application, "investors")))
