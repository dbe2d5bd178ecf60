"""Adapters that plug copydesk into other pipelines (datatrove, ...).

Each adapter lives in its own module and imports its host library lazily, so
importing `copydesk.integrations` never requires any of them.
"""
