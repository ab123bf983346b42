"""Published letters that retrieval found ("already answered?" on /ask/, the editor's inbox):
a letter's own page, or one letter of a round-up at its anchor, read for public fields only."""

from dataclasses import dataclass

from dearly.retrieval.models import Key

from .models import LetterPage, PostPage, RoundupPage


@dataclass(frozen=True)
class FoundLetter:
    key: Key
    title: str
    question: str  # HTML, as stored
    page: PostPage

    def get_url(self, request=None):
        """The letter's address: its page, with the anchor of a round-up's letter."""
        url = self.page.get_url(request)
        return f"{url}#{self.key.anchor}" if url and self.key.anchor else url


def published_letters(keys):
    """{Key: FoundLetter} for those of `keys` that are published letters now: one query, and
    two more only when a round-up's letter is among them."""
    keys = list(keys)
    whole = {key.page_id for key in keys if not key.anchor}
    parts = {key.page_id for key in keys if key.anchor}
    letters = LetterPage.objects.published().only("title", "question", "url_path").in_bulk(whole)
    roundups = {}
    if parts:
        roundups = (
            RoundupPage.objects.published()
            .only("title", "url_path")
            .prefetch_related("letters")
            .in_bulk(parts)
        )
    found = {}
    for key in keys:
        if not key.anchor and key.page_id in letters:
            page = letters[key.page_id]
            found[key] = FoundLetter(key, page.title, page.question, page)
        elif key.anchor and key.page_id in roundups:
            page = roundups[key.page_id].found_letter(key.anchor)
            if page is not None:
                found[key] = FoundLetter(key, page.title, page.letter.question, page)
    return found
