"""Integration tests share the session broker and worker fixtures of tests/conftest.py."""
