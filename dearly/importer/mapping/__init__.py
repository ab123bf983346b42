"""The mapping step, shared by every source. run.py drives it (Import, and WordPressImport
with wordpress.py's steps); people.py (authors, topics, tags), body.py (body blocks) and
urls.py (redirects, links) are parts of that class; pages.py, readers.py, comments.py,
media.py, links.py, state.py and report.py hold the pieces each of them uses. Import from the
modules themselves."""
