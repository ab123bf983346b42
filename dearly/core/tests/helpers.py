"""Plain helpers for tests of private pages and documents."""

from django.core.files.base import ContentFile

from wagtail.documents.models import Document
from wagtail.models import Collection, CollectionViewRestriction, PageViewRestriction

from dearly.testing import make_article

PAGE_PASSWORD = "open sesame"


def make_password_protected_page(parent, password=PAGE_PASSWORD):
    """A published guide that asks for a password; returns (page, restriction)."""
    page = make_article(parent, title="Members only")
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password=password
    )
    return page, restriction


def make_password_protected_document(password=PAGE_PASSWORD):
    """A document in a collection that asks for a password; returns (document, restriction)."""
    private = Collection.get_first_root_node().add_child(name="Private")
    restriction = CollectionViewRestriction.objects.create(
        collection=private, restriction_type=CollectionViewRestriction.PASSWORD, password=password
    )
    document = Document.objects.create(
        title="Notes", file=ContentFile(b"notes", name="notes.txt"), collection=private
    )
    return document, restriction
