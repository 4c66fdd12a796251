"""Slack entry points, one module per surface, each with one `register(app, deps)`.

Handlers are thin: parse, acknowledge, hand the slow work to our own executor, render. Nothing
about AWS and no reasoning lives here.
"""
