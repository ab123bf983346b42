"""What the imports made from what: the key to re-running them and to old URLs."""

from django.contrib.contenttypes.models import ContentType
from django.db import models

from wagtail.models import Page

# Sources whose ids are not WordPress's: "?p=123" never meant their post 123.
NOT_WORDPRESS = ("ghost", "substack")


class ImportedObjectQuerySet(models.QuerySet):
    def new_home(self, kinds, wp_id, *, old_url=True):
        """(page id, URL) where "?p=ID" of an imported site now lives, newest import first.

        An attachment whose file is not here leads to the post it belonged to; with nothing
        here at all, to its `old_url` on the old site (links in text), or nowhere when the
        caller asks for no old URLs (redirects never send readers back to the old host)."""
        rows = self.filter(kind__in=kinds, key=str(wp_id)).exclude(source__in=NOT_WORDPRESS)
        found = rows.filter(object_id__isnull=False).order_by("-imported_at").first()
        if found is None:
            found = rows.order_by("-imported_at").first()
            return None, found.old_url if found is not None and old_url else ""
        if found.kind in (self.model.Kind.POST, self.model.Kind.PAGE):
            return found.object_id, ""
        target = found.target
        if isinstance(target, Page):
            return target.pk, ""
        if target is not None:
            return None, target.file.url
        return None, found.old_url if old_url else ""


class ImportedObject(models.Model):
    """One imported thing (post, page, comment, author, term, file) and what it became here.

    `source` names the site: a WordPress site's base blog URL without the scheme (so two
    sites' post 12 never meet), or "ghost" or "substack", whose ids are unique across sites.
    `key` is the source's id, or the slug, login or upload path for things keyed that way."""

    class Kind(models.TextChoices):
        AUTHOR = "author"
        CATEGORY = "category"
        TAG = "tag"
        POST = "post"
        PAGE = "page"
        ATTACHMENT = "attachment"
        FILE = "file"
        COMMENT = "comment"

    source = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    key = models.CharField(max_length=255)
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    old_url = models.TextField(blank=True)
    # A digest of the WordPress item as last imported: an unchanged item is skipped on re-runs.
    fingerprint = models.CharField(max_length=40, blank=True)
    imported_at = models.DateTimeField(auto_now=True)

    objects = ImportedObjectQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "kind", "key"], name="one_import_per_key")
        ]
        indexes = [models.Index(fields=["kind", "key"])]

    def __str__(self):
        return f"{self.source} {self.kind} {self.key}"

    @property
    def target(self):
        if self.content_type_id is None or self.object_id is None:
            return None
        model = ContentType.objects.get_for_id(self.content_type_id).model_class()
        return model._default_manager.filter(pk=self.object_id).first()
