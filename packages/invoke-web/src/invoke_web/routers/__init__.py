"""The API's routers, one per resource, all mounted under /api/v1."""
