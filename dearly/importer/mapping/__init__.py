"""The mapping step of the WordPress import. run.py drives it (WordPressImport); people.py
(authors, topics, tags), body.py (body blocks) and urls.py (redirects, links) are parts of
that class; pages.py, comments.py, media.py, links.py, state.py and report.py hold the pieces
each of them uses. Import from the modules themselves."""
