"""The staff dashboard (Django admin): per-project views, overview, charts."""
