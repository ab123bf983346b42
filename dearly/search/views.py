"""Search over guides and letters by words and by meaning (dearly.retrieval), with
highlighted snippets."""

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
        ranked = [pk for pk, _ in query.search(" ".join(terms), limit=MAX_RESULTS, request=request)]
        public = set(
            PostPage.objects.published().filter(pk__in=ranked).values_list("pk", flat=True)
        )
        posts = paginate(request, [pk for pk in ranked if pk in public])
    elif query_text:
        error = "Please search for a word or two."
    context = {"query": query_text, "posts": posts, "error": error, "terms": terms}
    return render(request, "search/search.html", context, status=status)
