"""Search over guides and letters by words and by meaning (dearly.retrieval), with
highlighted snippets. A round-up's letters are found one by one, each linking to its anchor."""

from django.shortcuts import render

from dearly.articles.listing import paginate
from dearly.articles.models import PostPage
from dearly.retrieval import query

from .snippets import query_terms

MAX_QUERY_LENGTH = 200
MAX_RESULTS = 100


def search(request):
    raw = request.GET.get("q", "")
    query_text = " ".join(raw.replace("\x00", " ").split())[:MAX_QUERY_LENGTH]
    terms = query_terms(query_text)
    status = 200
    posts, error = None, ""
    if len(raw) > 5000:
        error, status = "That search is too long. Please use a few words.", 400
    elif terms:
        # Only the words reach the index: quotes, stars and NEAR( are not syntax here.
        found = query.search(" ".join(terms), limit=MAX_RESULTS, request=request)
        ranked = [key for key, _ in found]
        page_ids = {key.page_id for key in ranked}
        public = set(
            PostPage.objects.published().filter(pk__in=page_ids).values_list("pk", flat=True)
        )
        posts = paginate(request, [key for key in ranked if key.page_id in public])
    elif query_text:
        error = "Please search for a word or two."
    context = {"query": query_text, "posts": posts, "error": error, "terms": terms}
    return render(request, "search/search.html", context, status=status)
