"""Hold review service (issue 11): JSON API, read model built from the topics, reviewer UI."""
