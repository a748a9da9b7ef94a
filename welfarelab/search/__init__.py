"""Full-text search in Italian: one interface, the same engine on SQLite and PostgreSQL.

The core is pure Python and knows nothing of Django (an import-linter contract keeps it so):

- `analysis`   words folded (case, accents), Italian stop words, Snowball Italian stems (PyStemmer);
- `synonyms`   groups of synonyms and acronyms from editable text files (`synonyms_it.txt`), both ways;
- `typos`      unknown words corrected to the nearest known word (Damerau–Levenshtein, rapidfuzz);
- `dictionary` the words of the Italian language, so a real word is never taken for a typo;
- `snippets`   the best sentence of a text, escaped, with the matches in <mark>;
- `engine`     `SearchIndex`: BM25 (bm25s) over weighted fields, queries, hits;
- `evaluation` recall@k and MRR over a file of cases.

The Django side is one adapter per searchable thing: `knowledge_base.kb_search` for the help-desk
articles (an index per process, rebuilt when the articles change). Why not PostgreSQL's own full-text
search: docs/decisions/0004-knowledge-base-search.md.
"""
