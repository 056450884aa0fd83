from django.contrib.auth import views as auth_views
from django.urls import path

from directory.account_views import InvitationAcceptView
from wrc import forms, views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("accessibility/", views.AccessibilityView.as_view(), name="accessibility"),
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Django's views (public, never revealing whether an address has an account) in our layout.
    path(
        "accounts/password-reset/",
        auth_views.PasswordResetView.as_view(
            form_class=forms.PasswordResetRequestForm,
            subject_template_name="registration/email/password_reset_subject.txt",
            email_template_name="registration/email/password_reset.txt",
            html_email_template_name="registration/email/password_reset.html",
        ),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=forms.NewPasswordForm),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # The link in an invitation (directory/accounts.py): public, like the reset link.
    path(
        "accounts/invitation/<uidb64>/<token>/",
        InvitationAcceptView.as_view(),
        name="invitation_accept",
    ),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(form_class=forms.PasswordChangeForm),
        name="password_change",
    ),
    path(
        "accounts/password/changed/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]
