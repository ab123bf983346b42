"""Full-text search over guides and letters, with highlighted snippets."""

from django.shortcuts import render

from dearly.articles.listing import paginate
from dearly.articles.models import PostPage

from .snippets import query_terms

MAX_QUERY_LENGTH = 200


def search(request):
    raw = request.GET.get("q", "")
    query = " ".join(raw.replace("\x00", " ").split())[:MAX_QUERY_LENGTH]
    terms = query_terms(query)
    status = 200
    posts, error = None, ""
    if len(raw) > 5000:
        error, status = "That search is too long. Please use a few words.", 400
    elif terms:
        # Only the words reach the search backend: quotes, stars and NEAR( are not syntax here.
        results = PostPage.objects.published().search(" ".join(terms), operator="and")
        posts = paginate(request, results)
    elif query:
        error = "Please search for a word or two."
    context = {"query": query, "posts": posts, "error": error, "terms": terms}
    return render(request, "search/search.html", context, status=status)
