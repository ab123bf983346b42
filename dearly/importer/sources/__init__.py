"""What each platform's export says, as neutral records (records.py), with no database code.

One module per source format: `wordpress` (over the WXR parser, ../wxr.py), `ghost` (the JSON
export and the members CSV), `substack` (the export zip). Each yields `records.Site`, `Person`,
`Term`, `Entry`, `Reader`, `Skipped` and `Notice` records (what could not be read is a
`Skipped` with a "FILE:LINE" warning, and the import reads on); the mapping step (../mapping/)
turns them into pages, accounts, topics, tags, redirects and subscribers the same way whatever
their source. Import from the modules themselves."""
