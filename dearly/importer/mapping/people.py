"""Authors become accounts, categories topics, tags tags (a part of Import)."""

import re
from urllib.parse import unquote

from django.contrib.auth import get_user_model
from django.utils.text import slugify

from taggit.models import Tag

from dearly.articles.models import Topic

from ..content.html import one_line
from ..sources.records import Person
from .state import Kind

ADOPTED = "existing account"  # import-table marker for authors matched to earlier accounts


class AuthorsAndTerms:
    def author(self, source, a, *, declared=True):
        """The account for an author (a records.Person); `declared` False for a login that
        entries name but the export does not describe (such an account is linked or made,
        never changed)."""
        login = wp_login(a.login)
        if not login:
            self.report.warn("an author without a login was left out")
            return None
        if (source, login) in self.users and declared:  # declared again in a later file
            if a.source_id:
                self.users_by_wp_id[(source, a.source_id)] = self.users[(source, login)]
            return self.users[(source, login)]
        User = get_user_model()
        known = self.table.get(source, Kind.AUTHOR, login)
        user = User.objects.filter(pk=known.object_id).first() if known else None
        # An account that existed before the first import is linked, never changed.
        ours = user is not None and known.fingerprint != ADOPTED
        if user is None:
            user = User.objects.filter(username=login).first()
        created = user is None
        if created:
            user = User(username=login)
            user.set_unusable_password()  # they choose one through "forgot password"
            ours = True
        marker = "" if ours else ADOPTED
        if not declared and not created:
            ours = False  # nothing known about it here: leave the account as it is
        if ours:
            before = (user.display_name, user.first_name, user.last_name, user.email)
            # Shown beside their posts and comments: no bidi overrides, no zero-width spaces.
            user.display_name = one_line(a.display_name)[:80]
            user.first_name = one_line(a.first_name)[:150]
            user.last_name = one_line(a.last_name)[:150]
            email = a.email[:254]
            if email and not User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
                user.email = email
            changed = before != (user.display_name, user.first_name, user.last_name, user.email)
            if created or changed:
                user.save()
            if declared:
                bucket = (
                    self.report.created
                    if created
                    else (self.report.updated if changed else self.report.unchanged)
                )
                bucket["authors"] += 1
        elif declared:
            self.report.unchanged["authors (existing accounts, linked)"] += 1
        self.table.record(source, Kind.AUTHOR, login, user, fingerprint=marker)
        self.users[(source, login)] = user.pk
        if a.source_id:
            self.users_by_wp_id[(source, a.source_id)] = user.pk
        return user.pk

    def user_id(self, source, login):
        login = wp_login(login)
        if not login:
            return None
        if (source, login) not in self.users:
            self.author(source, Person(login, display_name=login), declared=False)
        return self.users.get((source, login))

    def term(self, source, term):
        if term.taxonomy == "category":
            self.category(source, term.slug, term.name, term.parent_slug, term.description)
        elif term.taxonomy == "post_tag":
            self.tag(source, term.slug, term.name)
        else:
            self.report.skipped[f"{term.taxonomy or 'unknown'} terms"] += 1

    def category(self, source, slug, name, parent_slug="", description=""):
        if (source, slug) in self.topics:
            topic = self.topics[(source, slug)]
            if parent_slug or description:
                self._update_topic(topic, name, description, parent_slug, source)
            return topic
        known_id = self.table.object_id(source, Kind.CATEGORY, slug)
        topic = Topic.objects.filter(pk=known_id).first() if known_id else None
        ascii_slug = _ascii_slug(slug, name, "topic")
        if topic is None:
            topic = Topic.objects.filter(slug=ascii_slug).first()
        if topic is None:
            topic = Topic(name=(name or slug)[:100], slug=_free_topic_slug(ascii_slug))
            topic.description = description
            topic.save()
            self.report.created["topics"] += 1
        else:
            self._update_topic(topic, name, description, parent_slug, source, count=True)
        self.topics[(source, slug)] = topic
        if parent_slug:
            self.topic_parents[topic.pk] = (source, parent_slug)
        self.table.record(source, Kind.CATEGORY, slug, topic)
        return topic

    def _update_topic(self, topic, name, description, parent_slug, source, count=False):
        if parent_slug:
            self.topic_parents[topic.pk] = (source, parent_slug)
        before = (topic.name, topic.description)
        topic.name = (name or topic.name)[:100]
        topic.description = description or topic.description
        changed = before != (topic.name, topic.description)
        if changed:
            topic.save(update_fields=["name", "description"])
        if count:
            (self.report.updated if changed else self.report.unchanged)["topics"] += 1

    def tag(self, source, slug, name):
        if (source, slug) in self.tags:
            return self.tags[(source, slug)]
        known_id = self.table.object_id(source, Kind.TAG, slug)
        tag = Tag.objects.filter(pk=known_id).first() if known_id else None
        name = (name or unquote(slug))[:100]
        if tag is None:
            tag = Tag.objects.filter(name__iexact=name).first()
            if tag is None:
                base = _ascii_slug(slug, name, "tag")
                tag_slug, n = base, 1
                while Tag.objects.filter(slug=tag_slug).exists():
                    n += 1
                    tag_slug = f"{base}-{n}"
                tag = Tag.objects.create(name=name, slug=tag_slug)
                self.report.created["tags"] += 1
            else:
                self.report.unchanged["tags"] += 1
        else:
            self.report.unchanged["tags"] += 1
        self.tags[(source, slug)] = tag
        self.table.record(source, Kind.TAG, slug, tag)
        return tag

    def _topics(self, source, entry):
        """The entry's topics, each once (an export may name one twice, with two names)."""
        topics = (self.category(source, s, n) for t, s, n in entry.terms if t == "category" and s)
        return list(dict.fromkeys(topics))

    def _tags(self, source, entry):
        """The entry's tags, each once ("Paint" and "paint" are one tag here)."""
        tags = (self.tag(source, s, n) for t, s, n in entry.terms if t == "post_tag" and s)
        return list(dict.fromkeys(tags))

    def _topic_parents(self):
        for topic_id, (source, parent_slug) in self.topic_parents.items():
            parent = self.topics.get((source, parent_slug))
            if parent is None:
                parent_id = self.table.object_id(source, Kind.CATEGORY, parent_slug)
                parent = Topic.objects.filter(pk=parent_id).first() if parent_id else None
            topic = Topic.objects.get(pk=topic_id)
            if parent is None:
                self.report.warn(
                    f"category “{topic.name}” names the parent “{parent_slug}”, which the export "
                    "does not declare: kept at the top level"
                )
                continue
            if parent.pk == topic.pk or topic.pk in {t.pk for t in parent.ancestors()}:
                self.report.warn(f"category “{topic.name}”: its parents form a loop; ignored")
                continue
            if topic.parent_id != parent.pk:
                Topic.objects.filter(pk=topic.pk).update(parent=parent)

    def _category_path(self, source, slug):
        """ "parent/child": the topic's slugs from the top, as in WordPress's category URLs."""
        chain, seen = [slug], {slug}
        parent = self.topic_parents.get(self.topics[(source, slug)].pk)
        while parent is not None and parent[1] not in seen and (source, parent[1]) in self.topics:
            chain.insert(0, parent[1])
            seen.add(parent[1])
            parent = self.topic_parents.get(self.topics[(source, parent[1])].pk)
        return "/".join(chain)


def wp_login(raw):
    """A login as WordPress's sanitize_user() keeps it (exports carry stray characters)."""
    return re.sub(r"[^A-Za-z0-9 _.@-]", "", raw).strip()[:150]


def _ascii_slug(slug, name, fallback):

    return (slugify(unquote(slug)) or slugify(name) or fallback)[:90]


def _free_topic_slug(base):
    slug, n = base, 1
    while Topic.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug
