"""wenhai's ingest and its command line (`wenhai`, `cli`): files and folders to articles
in the archive (`store`)."""
