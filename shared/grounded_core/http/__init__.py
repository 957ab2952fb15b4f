"""The HTTP edge shared by every API function: ``make_app`` and ``make_handler``."""
