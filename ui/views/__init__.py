"""Page bodies, one module a page; each exposes ``render()``."""
