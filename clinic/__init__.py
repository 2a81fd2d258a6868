"""Code shared by the Rasa server, the action server and the staff tools:
the clinic's configuration, storage settings and the deterministic safety check."""
