"""Ways around the column: where the letters and the guides are listed, breadcrumbs, and the
numbered links of a listing's pages. No query per item: section addresses come from the
fragment cache until published pages change, the rest is worked out from URLs."""

from urllib.parse import urlencode, urlsplit

from wagtail.models import Site

from dearly.core.invalidation import PAGES, cached

from .models import ArticleIndexPage, ColumnIndexPage

# The archive of each kind of post, and what the navigation calls it.
SECTIONS = {"letters": (ColumnIndexPage, "Letters"), "guides": (ArticleIndexPage, "Guides")}
KIND_SECTION = {"letter": "letters", "update": "letters", "guide": "guides"}


def section_links(request):
    """{"letters": {"url", "label"}, "guides": {…}} for the sections published on the request's
    site (absent when a site has none), read from the fragment cache until pages change."""
    site = Site.find_for_request(request) if request is not None else None

    def build():
        found = {}
        for key, (model, label) in SECTIONS.items():
            pages = model.objects.live().public().order_by("path")
            if site is not None:
                pages = pages.in_site(site)
            section = pages.only("url_path", "path", "depth").first()
            if section is not None:
                found[key] = {"url": section.get_url(request), "label": label}
        return found

    return cached(request, f"section-links:{getattr(site, 'pk', 0)}", (PAGES,), build)


def parent_url(url):
    """The address of the section a post's address is in: "/letters/dear-x/" -> "/letters/"."""
    if not url:
        return ""
    head = url.rstrip("/").rsplit("/", 1)[0]
    if not head:
        return "/"
    return url if head.endswith(":/") else head + "/"


def breadcrumbs(page, request):
    """Home › Letters (or Guides) › this post, as (name, address, full address) from the post's
    own address, for the visible trail and schema.org's BreadcrumbList."""
    full = page.get_full_url(request) or ""
    path = page.get_url(request) or ""
    parts = urlsplit(full)
    home_full = f"{parts.scheme}://{parts.netloc}/" if parts.netloc else "/"
    _, label = SECTIONS[KIND_SECTION.get(page.kind, "guides")]
    return [
        {"name": "Home", "url": "/", "full_url": home_full},
        {"name": label, "url": parent_url(path), "full_url": parent_url(full)},
        {"name": page.title, "url": path, "full_url": full},
    ]


def breadcrumb_list(crumbs):
    """schema.org BreadcrumbList data for JSON-LD."""
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": crumb["name"], "item": crumb["full_url"]}
            for n, crumb in enumerate(crumbs, start=1)
        ],
    }


def page_links(posts, path, query=None):
    """A listing's numbered page links: [{"number", "url", "current"}], with {"gap": True} where
    Django's elided range leaves numbers out ("1 2 … 9 10 11 … 30"). Page 1 is the bare address
    (its canonical one); a search keeps its words."""

    def url(number):
        params = {"q": query} if query else {}
        if number > 1:
            params["page"] = number
        return f"{path}?{urlencode(params)}" if params else path

    paginator = posts.paginator
    links = []
    for number in paginator.get_elided_page_range(posts.number, on_each_side=1, on_ends=1):
        if number == paginator.ELLIPSIS:
            links.append({"gap": True})
        else:
            links.append({"number": number, "url": url(number), "current": number == posts.number})
    previous_url = url(posts.previous_page_number()) if posts.has_previous() else None
    next_url = url(posts.next_page_number()) if posts.has_next() else None
    return {"pages": links, "previous": previous_url, "next": next_url}
