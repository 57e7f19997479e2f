from tests.infra import infra  # noqa: F401  (the one place that decides which broker and database tests use)
