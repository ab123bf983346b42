"""Claiming a published letter for a reader account: the verified "Letter writer" badge.

The private status link proves who wrote a letter; a claim ties that proof to a reader account,
and the account's comments on the letter and on its updates (the writer's own updates,
LetterUpdatePage, and later letters linked by LetterPage.update, followed along) show
"Letter writer". The badges are dearly.comments PageRole rows, which the comments app
renders with the thread in the same query and whose every change refreshes the cached threads
of the page. Here only the claims are decided, and the roles kept in step with them.

One letter, one account: a second account is refused until the first drops the claim from its
profile page. A letter sent from an account can only be claimed by that account.
"""

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from wagtail.signals import page_published

from dearly.articles.models import LetterPage, LetterUpdatePage
from dearly.comments.models import PageRole

from .models import LetterClaim
from .services import published_letter

MAX_UPDATES = 5  # how far a chain of updates (an update to an update) is followed


class State:
    """Where a claim stands for a given reader, and the status a refusal answers with."""

    UNPUBLISHED = "unpublished"  # 409: nothing public to claim yet
    CLAIMED = "claimed"  # 409: another account has it
    SENT_FROM_ANOTHER_ACCOUNT = "another_account"  # 403: the letter came from another account
    EDITOR = "editor"  # 403: the badge says a reader wrote it
    LOG_IN = "log_in"  # a reader account is needed first
    YOURS = "yours"  # already claimed by this reader: nothing to do
    READY = "ready"  # may be claimed by this reader

    STATUS = {UNPUBLISHED: 409, CLAIMED: 409, SENT_FROM_ANOTHER_ACCOUNT: 403, EDITOR: 403}


class ClaimRefused(Exception):
    def __init__(self, state):
        super().__init__(state)
        self.state = state
        self.status = State.STATUS.get(state, 409)


def claim_state(question, user):
    """Where claiming `question`'s letter stands for `user` (State)."""
    if published_letter(question) is None:
        return State.UNPUBLISHED
    claim = LetterClaim.objects.filter(question=question).first()
    if claim is not None:
        return State.YOURS if claim.user_id == user.pk else State.CLAIMED
    if not user.is_authenticated:
        return State.LOG_IN
    if question.user_id is not None and question.user_id != user.pk:
        return State.SENT_FROM_ANOTHER_ACCOUNT
    if user.is_staff or user.is_superuser:
        return State.EDITOR
    return State.READY


def claim_letter(question, user):
    """Claim the letter for `user`, or ClaimRefused. Two claims at once: one gets it."""
    state = claim_state(question, user)
    if state != State.READY:
        raise ClaimRefused(state)
    try:
        with transaction.atomic():
            return LetterClaim.objects.create(question=question, user=user)
    except IntegrityError:  # another account claimed it a moment ago
        raise ClaimRefused(State.CLAIMED) from None


def drop_claim(claim):
    claim.delete()  # the badges go with it (claim_changed)


def badge_pages(letter_ids):
    """The ids of the letters, of the writer's updates to them (LetterUpdatePage) and of the
    later letters they link to (LetterPage.update), followed MAX_UPDATES steps along."""
    pages, step = set(), set(letter_ids)
    for _ in range(MAX_UPDATES + 1):
        step -= pages
        if not step:
            break
        pages |= step
        pages |= set(
            LetterUpdatePage.objects.filter(letter_id__in=step).values_list("pk", flat=True)
        )
        updates = LetterPage.objects.filter(pk__in=step, update__isnull=False)
        step = set(updates.values_list("update_id", flat=True))
    return pages


def sync_badges(user_id):
    """The reader's "Letter writer" roles, exactly on the letters they claimed and on their
    updates. Rows are saved and deleted one by one so that each page's threads refresh."""
    letters = LetterClaim.objects.filter(user_id=user_id, question__letter__isnull=False)
    wanted = badge_pages(letters.values_list("question__letter_id", flat=True))
    roles = PageRole.objects.filter(user_id=user_id, role=PageRole.Role.LETTER_WRITER)
    for role in roles.exclude(page_id__in=wanted):
        role.delete()
    held = set(roles.values_list("page_id", flat=True))
    for page_id in sorted(wanted - held):
        PageRole.objects.get_or_create(
            page_id=page_id, user_id=user_id, defaults={"role": PageRole.Role.LETTER_WRITER}
        )


@receiver([post_save, post_delete], sender=LetterClaim)
def claim_changed(sender, instance, **kwargs):
    sync_badges(instance.user_id)


@receiver(page_published)
def letter_published(sender, instance, **kwargs):
    """A claimed letter published with a new update link, or a writer's update to a claimed
    letter published: the update gets (or loses) the badge at once, as does an update to it."""
    if isinstance(instance, LetterUpdatePage):
        instance = instance.letter
    if not isinstance(instance, LetterPage):
        return
    claims = LetterClaim.objects.filter(
        Q(question__letter_id=instance.pk) | Q(question__letter__update_id=instance.pk)
    )
    for user_id in set(claims.values_list("user_id", flat=True)):
        sync_badges(user_id)
