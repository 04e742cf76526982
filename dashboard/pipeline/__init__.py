"""The data pipeline's write side: ``mtm build``, ``mtm validate`` / ``import``, ``mtm publish``.

Source CSV -> Parquet tables (``build``), new figures appended to the source data all or nothing
(``importer``, the facade over ``reading``, ``validation``, ``documents``, ``plan``, ``commit``, ``report``,
``templates``), the tables uploaded to a bucket (``publish``). The web app never imports this package: what it
reads (the tables, the import history) it reads through ``dashboard.data`` and ``dashboard.history``;
``tests/test_architecture.py`` checks that.
"""
