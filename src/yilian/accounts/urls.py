from django.urls import path

from yilian.accounts import views

urlpatterns = [
    path("login/", views.PasswordLogin.as_view(), name="login"),
    path("login/otp/", views.otp_step, name="otp-step"),
    path("login/phone/", views.phone_sign_in, name="phone-sign-in"),
    path("logout/", views.sign_out, name="logout"),
    path("outbox/", views.outbox, name="outbox"),
]
