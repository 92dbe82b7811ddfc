"""The cluster backend: search on a Sphinx 2.2 / Manticore cluster instead of the embedded
index (`backends` chooses). `nodes` reaches the aggregator and shards, `text` is what
they index, `feed` writes the shards, `candidates` asks the aggregator, `verify` decides
the candidates from the stored text with the embedded engine's own code, `searcher`
puts them together, and `local` runs a cluster on this machine to try and to test."""
