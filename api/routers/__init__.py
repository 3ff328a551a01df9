"""One router per resource of the transparency API."""
