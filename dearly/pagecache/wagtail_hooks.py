from wagtail import hooks

from dearly.core.invalidation import COMMENTS, depends_on, no_store, page, thread, watching


@hooks.register("before_serve_page")
def depend_on_served_page(served, request, serve_args, serve_kwargs):
    """A page's response shows the page, its comment threads and the comment counts of the
    posts it lists; a restricted one is never shared."""
    if not watching():
        return  # not a request the page cache watches: no query
    depends_on(page(served.pk), thread(served.pk), COMMENTS)
    if served.get_view_restrictions():
        no_store()
