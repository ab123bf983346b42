"""The emails a subscriber gets about their subscription, sent as background tasks."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from django_tasks import task

from dearly.core.mail import from_email, site_name

from . import services
from .models import Subscriber

SUBJECTS = {
    "confirm": "Please confirm your subscription to {site}",
    "already": "You already get {site} by email",
}


@task()
def send_account_notice(subscriber_id, kind):
    """Mail the confirmation link ("confirm") or, to an address already subscribed, a link to
    its settings ("already"). Nothing if the address has gone since."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None or kind not in SUBJECTS:
        return
    site = site_name()
    context = {
        "site_name": site,
        "site_url": settings.SITE_URL,
        "subscriber": subscriber,
        "manage_url": services.absolute("newsletter:manage", services.manage_token(subscriber)),
    }
    if kind == "confirm":
        context["confirm_url"] = services.absolute(
            "newsletter:confirm", services.confirm_token(subscriber)
        )
        context["days"] = services.CONFIRM_MAX_AGE // 86400
    text = render_to_string(f"newsletter/email/{kind}.txt", context)
    html = render_to_string(f"newsletter/email/{kind}.html", context)
    message = EmailMultiAlternatives(
        SUBJECTS[kind].format(site=site), text, from_email(), [subscriber.email]
    )
    message.attach_alternative(html, "text/html")
    message.send()


@task()
def send_mailings():
    """Send what is waiting (a task worker's turn; several at once are safe)."""
    from . import sending  # sending imports services, which imports this module

    sending.send_pending()
