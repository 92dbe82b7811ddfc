"""The cluster backend: search on a Sphinx 2.2 / Manticore cluster instead of the embedded
index (`backends` chooses). `nodes` reaches the aggregator and shards, `text` is what
they index, `feed` writes the shards; `decided` has the engine answer the queries it
finds exactly as wenhai does (total, facets, filters, order, page) and `exact` checks
their page against the stored text; for the others `candidates` asks the aggregator and
`verify` decides the candidates from the stored text with the embedded engine's own
code; `searcher` puts them together, and `local` runs a cluster on this machine to try
and to test."""
