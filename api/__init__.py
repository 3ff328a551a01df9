"""The union's FastAPI app: read-only transparency endpoints under ``/v1`` (this package), the relay
(:mod:`api.relay`), ``/health``, ``/ready`` and ``/metrics``. Build it with :func:`api.app.create_app`."""
