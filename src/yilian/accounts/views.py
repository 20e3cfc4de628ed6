"""Sign-in pages: by phone and one-time code (applicants), by password (staff and demo
accounts), and the demo's message outbox."""

from __future__ import annotations

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.views import LoginView
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from yilian import labels
from yilian.accounts import services
from yilian.accounts.models import OutboxMessage
from yilian.accounts.permissions import landing_url_name


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


class PasswordLogin(LoginView):
    template_name = "accounts/login.html"

    def get_success_url(self) -> str:
        from django.urls import reverse

        return _next(self.request) or reverse(landing_url_name(self.request.user))


def phone_sign_in(request: HttpRequest) -> HttpResponse:
    """Step 1 sends a code to the phone; step 2 (``code`` present) spends it."""
    context = {"phone": request.POST.get("phone", ""), "next": _next(request),
               "sent": False, "error": ""}
    if request.method == "POST":
        try:
            if "code" in request.POST:
                context["sent"] = True
                user = services.sign_in_with_code(request.POST["phone"], request.POST["code"])
                auth.login(request, user, backend="django.contrib.auth.backends.ModelBackend")
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
