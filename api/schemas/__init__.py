"""Response models (``*Public``) of the transparency API, kept apart from the store's rows."""
