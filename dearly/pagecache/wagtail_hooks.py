from wagtail import hooks

from . import _collector, no_store, tag


@hooks.register("before_serve_page")
def tag_served_page(page, request, serve_args, serve_kwargs):
    """A page's response depends on the page; a restricted one is never shared."""
    if _collector.get() is None:
        return  # not a request the page cache watches: no query
    from dearly.articles.models import PostPage

    tag(f"page:{page.pk}")
    if isinstance(page, PostPage):
        tag(f"thread:{page.pk}")  # its comments
        tag("comments")  # its related posts show comment counts (and may come from a cache)
    if page.get_view_restrictions():
        no_store()
