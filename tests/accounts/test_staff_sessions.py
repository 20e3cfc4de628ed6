"""Staff second factor (TOTP, with real codes computed from the enrolled device's key) on
the pages and the token endpoint, its enrolment command, the default by mode, and the
idle timeout of staff sessions."""

from __future__ import annotations

import hashlib
import hmac
import io
import os
import struct
import subprocess
import sys
import time

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

from yilian.accounts import roles, second_factor
from yilian.accounts.middleware import SEEN_KEY
from yilian.accounts.models import SignInFailure

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-staff-passphrase-1"


def totp(key: bytes, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 written out here, so the test does not trust the library it checks."""
    counter = int((time.time() if at is None else at) // step)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10 ** digits:0{digits}d}"


@pytest.fixture(autouse=True)
def _otp_on(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STAFF_OTP = True
    # django-otp also slows retries after a wrong code; off here so that these tests show
    # Yilian's own lockout (test_the_code_cannot_be_guessed_either) and a right code
    # straight after a wrong one.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


@pytest.fixture
def examiner():
    user = get_user_model().objects.create_user("examiner-wang", password=PASSWORD)
    roles.grant(user, roles.EXAMINER)
    return user


@pytest.fixture
def device(examiner):
    return second_factor.enrol(examiner)


def test_staff_pass_a_code_after_the_password_on_the_pages(client, examiner, device):
    answer = client.post(reverse("login"), {"username": "examiner-wang", "password": PASSWORD,
                                            "next": "/workbench/sla/"})
    assert answer.status_code == 302 and answer["Location"].startswith(reverse("otp-step"))
    assert "_auth_user_id" not in client.session  # the password alone signs nobody in
    assert client.get("/workbench/").status_code == 302
    wrong = client.post(reverse("otp-step"), {"otp": "000000", "next": "/workbench/sla/"})
    assert wrong.status_code == 400 and "动态口令错误" in wrong.content.decode()
    assert SignInFailure.objects.filter(username="examiner-wang").count() == 1
    code = totp(device.bin_key)
    right = client.post(reverse("otp-step"), {"otp": code, "next": "/workbench/sla/"})
    assert right.status_code == 302 and right["Location"] == "/workbench/sla/"
    assert client.get("/workbench/").status_code == 200
    assert not SignInFailure.objects.exists()
    # The same code a second time (a replay) is refused.
    client.logout()
    client.post(reverse("login"), {"username": "examiner-wang", "password": PASSWORD})
    assert client.post(reverse("otp-step"), {"otp": code}).status_code == 400


def test_a_staff_session_that_skipped_the_code_is_signed_out(client, examiner, device):
    client.force_login(examiner)  # a session made without the second step
    answer = client.get("/workbench/")
    assert answer.status_code == 302 and answer["Location"].startswith(reverse("login"))


def test_staff_without_a_device_cannot_sign_in(client, examiner):
    client.post(reverse("login"), {"username": "examiner-wang", "password": PASSWORD})
    answer = client.post(reverse("otp-step"), {"otp": "123456"})
    assert answer.status_code == 400 and "尚未登记动态口令设备" in answer.content.decode()


def test_the_token_endpoint_wants_the_code_from_staff_only(examiner, device):
    api = APIClient()
    body = {"username": "examiner-wang", "password": PASSWORD}
    answer = api.post("/api/v1/auth/token/", body, format="json")
    assert answer.status_code == 400
    assert answer.json()["errors"][0] | {"message_zh": "", "message_en": ""} == {
        "field": "otp", "code": "otp.required", "message_zh": "", "message_en": ""}
    assert api.post("/api/v1/auth/token/", {**body, "otp": "999999"},
                    format="json").json()["errors"][0]["code"] == "otp.invalid"
    answer = api.post("/api/v1/auth/token/", {**body, "otp": totp(device.bin_key)},
                      format="json")
    assert answer.status_code == 200 and answer.json()["token"]
    get_user_model().objects.create_user("applicant-zhao", password=PASSWORD)
    assert api.post("/api/v1/auth/token/", {"username": "applicant-zhao",
                                            "password": PASSWORD},
                    format="json").status_code == 200


def test_the_code_cannot_be_guessed_either(examiner, device, settings):
    settings.SIGNIN_MAX_FAILURES = 3
    api = APIClient()
    body = {"username": "examiner-wang", "password": PASSWORD}
    for guess in ("111111", "222222", "333333"):
        api.post("/api/v1/auth/token/", {**body, "otp": guess}, format="json")
    answer = api.post("/api/v1/auth/token/", {**body, "otp": totp(device.bin_key)},
                      format="json")
    assert answer.json()["errors"][0]["code"] == "signin.locked"


def test_enrolment_prints_the_otpauth_uri_and_replaces_the_old_device(examiner, device,
                                                                      tmp_path):
    out = io.StringIO()
    call_command("enrol_totp", "examiner-wang", "--png", str(tmp_path / "qr.png"), stdout=out)
    assert "otpauth://totp/" in out.getvalue()
    assert (tmp_path / "qr.png").read_bytes().startswith(b"\x89PNG")
    new = examiner.totpdevice_set.get()
    assert new.pk != device.pk and new.confirmed
    with pytest.raises(CommandError):
        call_command("enrol_totp", "nobody", stdout=io.StringIO())
    get_user_model().objects.create_user("13906310001")
    with pytest.raises(CommandError):
        call_command("enrol_totp", "13906310001", stdout=io.StringIO())


@pytest.mark.parametrize(("env", "expected"), [
    ({}, "True"), ({"YILIAN_DEMO": "1"}, "False"),
    ({"YILIAN_DEMO": "1", "YILIAN_STAFF_OTP": "1"}, "True"), ({"YILIAN_STAFF_OTP": "0"}, "False"),
])
def test_the_second_factor_is_on_outside_demo_mode_by_default(env, expected, tmp_path):
    clean = {k: v for k, v in os.environ.items()
             if k not in ("YILIAN_DEMO", "YILIAN_STAFF_OTP")}
    result = subprocess.run(
        [sys.executable, "-c", "import yilian.settings as s; print(s.STAFF_OTP)"],
        env={**clean, **env, "YILIAN_DATA_DIR": str(tmp_path)}, capture_output=True,
        text=True, check=True)
    assert result.stdout.strip() == expected


def test_idle_staff_sessions_time_out_and_applicants_do_not(client, examiner, settings):
    settings.STAFF_OTP = False
    settings.STAFF_IDLE_MINUTES = 30
    client.force_login(examiner)
    assert client.get("/workbench/").status_code == 200
    session = client.session
    session[SEEN_KEY] = time.time() - 29 * 60
    session.save()
    assert client.get("/workbench/").status_code == 200  # 29 minutes: still here
    session = client.session
    session[SEEN_KEY] = time.time() - 31 * 60
    session.save()
    answer = client.get("/workbench/")
    assert answer.status_code == 302 and answer["Location"].startswith(reverse("login"))
    applicant = get_user_model().objects.create_user("13906310002")
    roles.grant(applicant, roles.APPLICANT)
    client.force_login(applicant)
    session = client.session
    session[SEEN_KEY] = time.time() - 999 * 60
    session.save()
    assert client.get("/me/").status_code == 200
