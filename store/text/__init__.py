"""Chinese text: normalization, jieba's words, the Whoosh analyzers and snippets.

The bottom layer of the store: it imports nothing else of `store`, so the engine
(`store.engine`) and search (`store.search`) analyse text the same way from below.
"""
