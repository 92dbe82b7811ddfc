"""Search: the query language, reading postings, evaluating queries over whole posting
lists, ranking and faceting the matches, similar articles, and the `Searcher` that
answers all of these for one generation of the index.

Above the engine (`store.engine`), whose files it reads, and below the archive, which
turns the ids and scores it finds into articles.
"""
