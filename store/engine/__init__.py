"""The on-disk index: Whoosh segments whose text fields' postings are arrays of ours.

From the bottom up: `schema` (fields, analysers, identity), `occurrences` (a batch of
texts as term/document/position arrays), `columnar` (a segment's postings file),
`columns` (per-document values read whole), `codec` (Whoosh's reader interface over
the arrays), `writer` and `merging` (segments written and merged in bulk), `saved`
(the arrays a search needs, saved beside each segment), `folder` (creating, opening,
checking and swapping the index folder) and `workers` (segments written in parallel
processes). It knows nothing of SQLite or of queries: the archive hands it documents,
`store.search` reads what it wrote.
"""
