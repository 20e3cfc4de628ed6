"""Sign-in pages: by phone and one-time code (applicants), by password (staff and demo
accounts), and the demo's message outbox."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import django_otp
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from yilian import labels
from yilian.accounts import lockout, second_factor, services
from yilian.accounts.models import OutboxMessage
from yilian.accounts.permissions import landing_url_name

# Between the password and the second factor: who passed the password, and when.
PENDING_KEY = "_yilian_otp_pending"
PENDING_SECONDS = 300
BACKEND = "yilian.accounts.backends.PasswordBackend"


def client_address(request: HttpRequest) -> str:
    """Who is asking: behind the HTTPS proxy (YILIAN_HTTPS) the address it appended to
    X-Forwarded-For, which a client cannot forge; otherwise the connection's own."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.HTTPS and forwarded:
        return forwarded.rsplit(",", 1)[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""


class SignInForm(AuthenticationForm):
    """Django's form, saying in the reader's language when the lockout refused it."""

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            refusal = getattr(self.request, "sign_in_refusal", None)
            if refusal is not None:
                raise ValidationError(labels.refusal(refusal), code=refusal.code) from None
            raise


class PasswordLogin(LoginView):
    """账号密码登录 — the password; then, for staff when the second factor is on, the
    code (:func:`otp_step`) before the session is made."""

    template_name = "accounts/login.html"
    authentication_form = SignInForm

    def form_valid(self, form):
        user = form.get_user()
        if second_factor.required(user):
            self.request.session[PENDING_KEY] = {"user": user.pk, "at": time.time()}
            query = urlencode({"next": _next(self.request)}) if _next(self.request) else ""
            return redirect(reverse("otp-step") + (f"?{query}" if query else ""))
        return super().form_valid(form)

    def get_success_url(self) -> str:
        return _next(self.request) or reverse(landing_url_name(self.request.user))


def _pending_user(request: HttpRequest):
    pending = request.session.get(PENDING_KEY) or {}
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    return auth.get_user_model().objects.filter(pk=pending.get("user"),
                                                is_active=True).first()


@require_http_methods(["GET", "POST"])
def otp_step(request: HttpRequest) -> HttpResponse:
    """动态口令 — the staff member's second factor, after the right password."""
    user = _pending_user(request)
    if user is None:
        return redirect("login")
    context = {"next": _next(request), "error": ""}
    if request.method == "POST":
        username, client = user.get_username(), client_address(request)
        try:
            lockout.check(username, client)
            device = second_factor.verify(user, request.POST.get("otp", ""))
        except (lockout.SignInLocked, second_factor.SecondFactorError) as error:
            if isinstance(error, second_factor.SecondFactorError):
                lockout.failed(username, client)
            context["error"] = labels.refusal(error)
        else:
            request.session.pop(PENDING_KEY, None)
            auth.login(request, user, backend=BACKEND)
            django_otp.login(request, device)
            return redirect(context["next"] or landing_url_name(user))
    return render(request, "accounts/otp.html", context,
                  status=400 if context["error"] else 200)


def admin_login(request: HttpRequest) -> HttpResponse:
    """The Django admin signs in through the same page (lockout, second factor)."""
    target = _next(request) or reverse("admin:index")
    return redirect(f"{reverse('login')}?{urlencode({'next': target})}")


def phone_sign_in(request: HttpRequest) -> HttpResponse:
    """Step 1 sends a code to the phone; step 2 (``code`` present) spends it."""
    context = {"phone": request.POST.get("phone", ""), "next": _next(request),
               "sent": False, "error": ""}
    if request.method == "POST":
        try:
            if "code" in request.POST:
                context["sent"] = True
                user = services.sign_in_with_code(request.POST["phone"], request.POST["code"])
                auth.login(request, user, backend=BACKEND)
                return redirect(context["next"] or landing_url_name(user))
            services.send_code(request.POST.get("phone", ""), client=client_address(request))
            context["sent"] = True
        except services.CodeError as error:
            context["error"] = labels.refusal(error)
            context["error_code"] = error.code
            # A resend refused for being too soon still lets the user type the last code.
            context["sent"] = context["sent"] or error.code == "phone.too_soon"
    return render(request, "accounts/phone.html", context,
                  status=400 if context["error"] else 200)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    auth.logout(request)
    return redirect("home")


def outbox(request: HttpRequest) -> HttpResponse:
    """The demo's stand-in for phones: every message 'sent', newest first."""
    if not settings.DEMO_MODE:
        raise Http404
    return render(request, "accounts/outbox.html",
                  {"messages_sent": OutboxMessage.objects.all()[:50]})
