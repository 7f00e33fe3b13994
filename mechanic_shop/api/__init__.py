"""Cross-cutting API pieces shared by every app: pagination, throttles,
permissions, errors, the response cache and request limits."""
