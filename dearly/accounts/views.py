"""A reader's own account: profile settings and deleting the account.

Sign-up, login, email, password and two-factor pages are allauth's (mounted after these)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from wagtail import hooks

from allauth.core.ratelimit import consume_or_429

from .forms import DeleteAccountForm, ProfileForm
from .services import can_delete_self, delete_reader

PROFILE_SECTIONS_HOOK = "dearly_profile_sections"  # fn(request) -> HTML, or "" for nothing


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your settings were saved.")
        return redirect("accounts:profile")
    # Apps above accounts add their own sections (the newsletter's) through this hook.
    sections = [fn(request) for fn in hooks.get_hooks(PROFILE_SECTIONS_HOOK)]
    context = {"form": form, "sections": [s for s in sections if s]}
    return render(request, "accounts/profile.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    if not can_delete_self(request.user):
        return render(request, "accounts/delete_refused.html", status=403)
    form = DeleteAccountForm(request.user, request.POST or None)
    if request.method == "POST":
        # Checking a password is a password oracle: allauth's reauthentication rate applies.
        if too_many := consume_or_429(request, action="reauthenticate", user=request.user):
            return too_many
        if form.is_valid():
            delete_reader(request.user)
            logout(request)
            messages.success(
                request, "Your account was deleted. Your comments now show “Deleted reader”."
            )
            return redirect("/")
    return render(request, "accounts/delete.html", {"form": form})


def to_the_login_page(request):
    """Wagtail's own login forms (/admin/login/, /_util/login/) would skip email verification,
    two-factor authentication and the rate limits: whatever is sent to them, they lead to
    allauth's login page, with `next` kept when it stays on this site."""
    next_url = request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        return redirect_to_login(next_url)
    return redirect(settings.LOGIN_URL)
