"""The keyed HTTP API: routes, request validation, authentication, limits, OpenAPI."""
